"""Turning stored data into what templates show.

Article text is untrusted. Templates autoescape everything; the one piece of markup
built here, the article body (``article_body``), escapes every piece of article text
with ``markupsafe.escape`` and adds only fixed tags: each sentence in its own element,
whose id lets the page highlight and link to summary sentences.
"""

from __future__ import annotations

import bisect
from datetime import datetime, time
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape

from precis.models import ParsedDocument
from precis.text.sentences import paragraphs

SAFE_SCHEMES = frozenset({"http", "https"})


SENTENCE_OPEN = '<span class="s{hl}" id="s{index}" data-index="{index}">'


def article_body(doc: ParsedDocument, highlighted: frozenset[int] = frozenset()) -> Markup:
    """``doc``'s text as ``<p>`` paragraphs whose sentences are each wrapped in
    ``<span class="s" id="s<index>">`` (class ``s hl`` when in ``highlighted``).

    Every piece of article text goes through ``markupsafe.escape``, exactly as the
    template's autoescaping would treat it; the only markup is the fixed tags above,
    whose attributes are integers. Built here in one join rather than by a template
    loop over sentences (one ``format`` and two escapes per sentence instead of the
    template's per-piece expression evaluation).
    """
    by_paragraph: dict[int, list[int]] = {}
    for index, number in enumerate(doc.paragraph_of):
        by_paragraph.setdefault(number, []).append(index)
    text, spans = doc.text, doc.sentences
    out: list[str] = []
    for number, para in enumerate(paragraphs(text)):
        out.append("<p>")
        cursor = para.start
        for index in by_paragraph.get(number, ()):
            span = spans[index]
            if span.start > cursor:
                out.append(escape(text[cursor : span.start]))
            out.append(SENTENCE_OPEN.format(hl=" hl" if index in highlighted else "", index=index))
            out.append(escape(text[span.start : span.end]))
            out.append("</span>")
            cursor = span.end
        if cursor < para.end:
            out.append(escape(text[cursor : para.end]))
        out.append("</p>\n")
    return Markup("".join(out))


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
    """``16 Oct 2026, 07:05 UTC``; only the day for a time of exactly midnight, which is
    what a source that gives only a date (a feed's ``2026-10-16``) is stored as."""
    if value is None:
        return ""
    if value.time() == time():
        return day(value)
    return value.strftime("%-d %b %Y, %H:%M UTC")


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
