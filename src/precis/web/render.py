"""Turning stored data into what templates show; no markup is built here.

Article text is untrusted. Templates autoescape everything; this module only cuts the
text into pieces (paragraphs of sentences) so a template can wrap each sentence in its
own element, whose id lets the page highlight and link to summary sentences.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from precis.models import ParsedDocument
from precis.text.sentences import paragraphs

SAFE_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of paragraph text: sentence ``index``, or ``None`` for text between sentences."""

    text: str
    index: int | None


def article_paragraphs(doc: ParsedDocument) -> list[list[Piece]]:
    """Every paragraph of ``doc`` as pieces that concatenate back to the paragraph."""
    by_paragraph: dict[int, list[int]] = {}
    for index, number in enumerate(doc.paragraph_of):
        by_paragraph.setdefault(number, []).append(index)
    out = []
    for number, para in enumerate(paragraphs(doc.text)):
        pieces: list[Piece] = []
        cursor = para.start
        for index in by_paragraph.get(number, []):
            span = doc.sentences[index]
            if span.start > cursor:
                pieces.append(Piece(doc.text[cursor : span.start], None))
            pieces.append(Piece(doc.text[span.start : span.end], index))
            cursor = span.end
        if cursor < para.end:
            pieces.append(Piece(doc.text[cursor : para.end], None))
        out.append(pieces)
    return out


def sentence_at(doc: ParsedDocument, offset: int) -> int | None:
    """Index of the sentence holding character ``offset``, or the one starting after it
    (a quote may open in the gap between two sentences); None past the last sentence."""
    starts = [span.start for span in doc.sentences]
    index = bisect.bisect_right(starts, offset) - 1
    if index >= 0 and offset < doc.sentences[index].end:
        return index
    return index + 1 if index + 1 < len(doc.sentences) else None


def http_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link, else ``None`` (never render javascript: etc.)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.netloc:
        return None
    return url.strip()


def when(value: datetime | None) -> str:
    return value.strftime("%-d %b %Y, %H:%M UTC") if value is not None else ""


def day(value: datetime | None) -> str:
    return value.strftime("%-d %b %Y") if value is not None else ""


def query_string(**params: object) -> str:
    """``?a=1&b=2`` from the non-empty parameters, percent-encoded."""
    kept = {key: str(value) for key, value in params.items() if value not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


def span(first: datetime | None, latest: datetime | None) -> str:
    """A story's time span: ``16 Oct 2026, 07:05–14:15 UTC`` or ``16–19 Oct 2026``."""
    if first is None or latest is None:
        return when(first or latest)
    if first.date() == latest.date():
        if first == latest:
            return when(first)
        return f"{first:%-d %b %Y, %H:%M}–{latest:%H:%M} UTC"
    if (first.year, first.month) == (latest.year, latest.month):
        return f"{first:%-d}–{latest:%-d %b %Y}"
    if first.year == latest.year:
        return f"{first:%-d %b}–{latest:%-d %b %Y}"
    return f"{day(first)}–{day(latest)}"
