"""Records that flow between the stages: one frozen dataclass per noun."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

MediaType = Literal["text", "html"]


def iso(value: datetime | None) -> str | None:
    """A datetime in ISO 8601 for JSON output, None kept as None."""
    return value.isoformat() if value is not None else None


# How the raw input kept with an article is to be read again: as a whole text or HTML
# document, or as one JSONL record (body plus caller-supplied metadata).
RawType = Literal["text", "html", "jsonl"]


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input before extraction: the bytes or text as received, plus known metadata.

    ``origin`` names where it came from (a path, ``path:line`` for JSONL, ``-`` for stdin,
    a URL) and is used in every error message about it. ``record`` is the input exactly
    as received when ``content`` is only part of it (the JSONL line an article came from),
    so extraction can be re-run later with the same metadata.
    """

    origin: str
    content: str
    media_type: MediaType
    metadata: Mapping[str, str] = field(default_factory=dict)
    record: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A clean article: what extraction yields and what the store keeps."""

    title: str
    text: str
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published: datetime | None = None
    external_id: str | None = None
    raw: str | None = None
    raw_type: RawType | None = None
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as stored, with its database id and bookkeeping."""

    id: int
    article: Article
    content_hash: str
    ingested_at: datetime
    # The text's sentence spans as stored (``precis.text.sentences.encode``); None when
    # not stored. Read them with ``precis.text.sentences.stored_split``.
    sentences: str | None = None

    @property
    def title(self) -> str:
        return self.article.title

    @property
    def text(self) -> str:
        return self.article.text


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` into some text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """An article split for summarizing: its sentences as spans into ``text``.

    ``paragraph_of[i]`` is the paragraph number of sentence ``i``.
    """

    title: str
    text: str
    sentences: tuple[Span, ...]
    paragraph_of: tuple[int, ...]

    def sentence_text(self, index: int) -> str:
        span = self.sentences[index]
        return self.text[span.start : span.end]


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """One summary sentence: the article's sentence ``index`` and its offsets in the text."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Summary:
    method: str
    sentences: tuple[SummarySentence, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed subscription and its health, as stored."""

    id: int
    url: str
    name: str
    interval_seconds: int
    title: str | None
    site_url: str | None
    etag: str | None
    last_modified: str | None
    created_at: datetime
    next_due_at: datetime
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_status: str | None
    last_error: str | None
    error_count: int
    articles_added: int

    @property
    def failing(self) -> bool:
        return self.last_status == "error"
