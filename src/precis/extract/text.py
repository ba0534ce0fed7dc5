"""Plain-text articles: title line, an optional metadata header, boilerplate removal.

Format understood (everything but the body is optional)::

    Headline on the first line
    Source: Outlet name
    Author: A. Writer
    Published: 2026-10-14T08:30:00Z
    URL: https://outlet.example/...

    Body paragraphs separated by blank lines (hard-wrapped lines are joined).
"""

from __future__ import annotations

import re

from precis.errors import ExtractionError
from precis.extract.metadata import parse_date, pick
from precis.extract.rules import Rules
from precis.models import Article, RawDocument

_HEADER = re.compile(
    r"^(source|outlet|author|by|published|date|url|link)\s*:\s*(\S.*)$", re.IGNORECASE
)
_HEADER_KEYS = {
    "source": "source",
    "outlet": "source",
    "author": "author",
    "by": "author",
    "published": "published",
    "date": "published",
    "url": "url",
    "link": "url",
}
# A first line is a headline when it is short and does not read like a sentence of prose.
TITLE_MAX_WORDS = 25
TITLE_MAX_CHARS = 200


def extract_text(raw: RawDocument, rules: Rules) -> Article:
    lines = normalise_newlines(raw.content).split("\n")
    title = raw.metadata.get("title")
    if not title:
        title, lines = _take_title(lines, rules)
    header, lines = _take_header(lines)
    lines = rules.clean_lines(lines)
    body = join_paragraphs(lines)
    if not body:
        raise ExtractionError(raw.origin, "holds no article text after removing boilerplate")
    return Article(
        title=" ".join((title or _fallback_title(body)).split()),
        text=body,
        url=pick(raw.metadata, "url", header.get("url")),
        source=pick(raw.metadata, "source", header.get("source")),
        author=pick(raw.metadata, "author", header.get("author")),
        published=parse_date(raw.metadata.get("published") or header.get("published")),
        external_id=raw.metadata.get("id"),
        raw=raw.content,
        raw_type="text",
        origin=raw.origin,
    )


def normalise_newlines(text: str) -> str:
    """Newlines as ``\n``; other whitespace (no-break and thin spaces, which Python does
    not count as printable) as a space, so that "the\u00a0Supreme Court" keeps its two
    words; other unprintable characters (controls, zero-width marks) dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return "".join(
        ch if ch in "\n\t" or ch.isprintable() else " " if ch.isspace() else "" for ch in text
    )


def join_paragraphs(lines: list[str]) -> str:
    """Clean text: one paragraph per line. Blank lines separate paragraphs when the
    input has any; otherwise every line is its own paragraph."""
    inner = _trim_blank(lines)  # a final newline is not a paragraph break
    has_blank = any(not line.strip() for line in inner)
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
            if not has_blank:
                paragraphs.append(" ".join(current))
                current = []
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n".join(" ".join(p.split()) for p in paragraphs)


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _take_title(lines: list[str], rules: Rules) -> tuple[str | None, list[str]]:
    for position, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or rules.match(stripped):
            continue
        if _looks_like_title(stripped) and _has_more(lines[position + 1 :]):
            return stripped, lines[position + 1 :]
        return None, lines
    return None, lines


def _looks_like_title(line: str) -> bool:
    if len(line) > TITLE_MAX_CHARS or len(line.split()) > TITLE_MAX_WORDS:
        return False
    if _HEADER.match(line):
        return False
    return not line.endswith((".", ",", ";")) or line.endswith("...")


def _has_more(lines: list[str]) -> bool:
    return any(line.strip() and not _HEADER.match(line.strip()) for line in lines)


def _take_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    header: dict[str, str] = {}
    position = 0
    while position < len(lines) and not lines[position].strip():
        position += 1
    while position < len(lines):
        match = _HEADER.match(lines[position].strip())
        if not match:
            break
        header.setdefault(_HEADER_KEYS[match.group(1).lower()], match.group(2).strip())
        position += 1
    return header, lines[position:] if header else lines


def _fallback_title(body: str) -> str:
    first = body.split("\n", 1)[0]
    words = first.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")
