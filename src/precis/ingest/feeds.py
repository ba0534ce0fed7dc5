"""RSS 0.9x/1.0/2.0 and Atom feeds (and JSON Feed) through feedparser, behind an XML guard.

feedparser is lenient by design: it falls back to a loose parser on broken XML and would
hand back whatever it recovered, possibly a truncated entry. precis stores whole articles
only, so the bytes must first be well-formed XML without entity declarations, checked by
defusedxml (which refuses billion-laughs style entity expansion and external entities
before anything is expanded). Only then does feedparser see them.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import defusedxml
import defusedxml.ElementTree as DET
import feedparser

from precis.errors import InputError

# Fewer words than this in the fullest body an entry carries means a teaser: the page is
# fetched. News articles run 300-1,000 words; feed summaries are usually one paragraph.
TEASER_WORDS = 150
_TAG = re.compile(r"<[^>]*>")
# feedparser's complaints that do not mean the document is broken
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
FEED_TYPES_REFUSED = ("text/html", "image/", "audio/", "video/", "application/pdf")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    key: str
    title: str | None
    link: str | None
    author: str | None
    published: datetime | None
    body_html: str | None
    words: int

    @property
    def teaser(self) -> bool:
        return self.words < TEASER_WORDS


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    link: str | None
    entries: tuple[FeedEntry, ...]


def parse_feed(data: bytes, origin: str, content_type: str | None = None) -> ParsedFeed:
    """Parse feed bytes; raises ``InputError`` naming why a document is not a usable feed."""
    if content_type is not None and content_type.startswith(FEED_TYPES_REFUSED):
        hint = "; give the feed's own URL" if content_type == "text/html" else ""
        raise InputError(origin, f"is {content_type}, not an RSS or Atom feed{hint}")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise InputError(origin, "is empty, not a feed")
    if stripped.startswith(b"<"):
        check_xml(data, origin)
    headers = {"content-location": origin}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(
        data, response_headers=headers, sanitize_html=True, resolve_relative_uris=True
    )
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(problem, _BENIGN_BOZO):
        raise InputError(origin, f"is not a valid feed ({problem})")
    if not parsed.get("version") and not parsed.entries:
        raise InputError(origin, "is not an RSS, Atom or JSON feed")
    feed = parsed.get("feed", {})
    return ParsedFeed(
        title=_clean(feed.get("title")),
        link=_clean(feed.get("link")),
        entries=tuple(_entry(raw) for raw in parsed.entries),
    )


def check_xml(data: bytes, origin: str) -> None:
    """Refuse XML that is malformed or declares entities (entity-expansion attacks)."""
    try:
        DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise InputError(
            origin, f"declares XML entities or external references; refused ({exc})"
        ) from exc
    except ET.ParseError as exc:
        raise InputError(origin, f"is malformed XML ({exc})") from exc


def _entry(raw: Any) -> FeedEntry:
    bodies = [c.get("value") or "" for c in raw.get("content", []) or []]
    bodies.append(raw.get("summary") or "")
    body = max(bodies, key=word_count)
    link = _clean(raw.get("link"))
    title = _clean(raw.get("title"))
    return FeedEntry(
        key=_clean(raw.get("id")) or link or _digest(title, body),
        title=title,
        link=link,
        author=_clean(raw.get("author")),
        published=_date(raw.get("published_parsed") or raw.get("updated_parsed")),
        body_html=body or None,
        words=word_count(body),
    )


def word_count(html: str) -> int:
    return len(_TAG.sub(" ", html).split())


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _digest(title: str | None, body: str) -> str:
    return "sha256:" + hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()
