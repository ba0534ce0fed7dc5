"""HTML pages through trafilatura: main text, title, author, date and site name.

Trafilatura's output is plain text, so markup in the page (scripts, event handlers) never
reaches the store as markup. The same line rules as for plain text then remove promo and
navigation lines that survive extraction.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, time

import trafilatura
from lxml.etree import LxmlError

from precis.errors import ExtractionError
from precis.extract.metadata import clean_field, parse_date, pick
from precis.extract.rules import Rules
from precis.extract.titles import (
    choose_title,
    drop_site_name,
    loose_edges,
    site_name,
    stated_site,
)
from precis.models import Article, RawDocument
from precis.text.hosts import url_host

# A paragraph of at least this many words ending like a sentence counts as prose: menu
# labels and link lists are shorter, and headlines lack the final stop.
# Publication timestamps sit in the <head> or in JSON-LD near it.
STAMP_WINDOW = 200_000
_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_PUBLISHED_NAME = re.compile(
    r"""(property|name|itemprop)\s*=\s*["']?(article:published_time|og:published_time|datePublished)\b""",
    re.IGNORECASE,
)
_CONTENT = re.compile(r"""content\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_LD_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
# Scripts written without spaces (Japanese, Chinese) count by characters instead.
MIN_PROSE_WORDS = 5
MIN_PROSE_CHARS = 20
# Sentence ends in other scripts too: the Devanagari/Bengali danda, the Arabic question
# mark, the Urdu full stop; and quotes that close a sentence: the German "“" and "«".
# (A closing "»" or "›" alone is not one: "Weiterlesen »" is a link; after a stop it is.)
SENTENCE_ENDINGS = (
    *(".", "!", "?", '"', "”", "’", "'", ")", "…", "。", "！", "？", "」"),
    *("।", "॥", "؟", "۔", "“", "«", ".»", "!»", "?»", "…»", ".›", "!›", "?›"),
)
# htmldate's "extensive search" hands odd date strings to dateparser, whose first use
# loads every locale (8-28 s once per process). Markup, JSON-LD and URL dates are found
# without it, and _stamp() reads the page's own timestamp anyway. trafilatura has no
# switch to skip date extraction alone, so a caller-supplied date still runs this
# (fast) search; its result is then ignored.
DATE_PARAMS = {"extensive_search": False, "original_date": True}


def extract_html(raw: RawDocument, rules: Rules) -> Article:
    try:
        doc = trafilatura.bare_extraction(
            raw.content,
            url=raw.metadata.get("url"),
            with_metadata=True,
            include_comments=False,
            include_tables=True,  # trafilatura's default; tables carry facts (scores, prices)
            favor_precision=False,
            date_extraction_params=dict(DATE_PARAMS),  # trafilatura adds "url" to it
        )
    except (ValueError, TypeError, LxmlError) as exc:  # raised on unparsable markup
        raise ExtractionError(raw.origin, f"HTML could not be parsed ({exc})") from exc
    text = getattr(doc, "text", None) if doc is not None else None
    # Canonical composition (NFC), as trafilatura's own ``extract`` returns its text: a
    # page typed with combining marks ("u" + U+0308 for "ü") then reads, searches and
    # compares like one typed with the composed letters.
    text = unicodedata.normalize("NFC", text) if text else text
    if not text or not text.strip():
        raise ExtractionError(raw.origin, "HTML page holds no article text")
    body = one_paragraph_per_line(rules.clean_lines(text.split("\n")))
    if not has_prose(body):
        raise ExtractionError(
            raw.origin, "HTML page holds no article text (only navigation, links or boilerplate)"
        )
    url = pick(raw.metadata, "url", getattr(doc, "url", None))
    found_site = clean_field(getattr(doc, "sitename", None))
    found_title = choose_title(
        clean_field(unicodedata.normalize("NFC", getattr(doc, "title", None) or "")),
        raw.content,
        url,
        body.split("\n", TITLE_SEARCH_LINES)[:TITLE_SEARCH_LINES],
    )
    host = url_host(url) or getattr(doc, "hostname", None)
    if found_title is not None:
        found_title = drop_site_name(loose_edges(found_title), [stated_site(found_site)], host)
    title = pick(raw.metadata, "title", found_title)
    body = _drop_title_line(body, title)
    site = site_name(found_site, title, host)
    return Article(
        title=title or body.split("\n", 1)[0][:120],
        text=body,
        url=url,
        source=pick(raw.metadata, "source", site),
        author=pick(raw.metadata, "author", getattr(doc, "author", None)),
        published=parse_date(raw.metadata.get("published"))
        or _published(raw.content, getattr(doc, "date", None)),
        external_id=raw.metadata.get("id"),
        raw=raw.content,
        raw_type="html",
        origin=raw.origin,
    )


def _published(page: str, found: str | None) -> datetime | None:
    """Trafilatura's date (htmldate) has no time of day; the page's own timestamp
    (``article:published_time`` or JSON-LD ``datePublished``) adds it when it names the
    same day, so articles of one day sort by time."""
    day = parse_date(found)
    stamped = _stamp(page)
    if stamped is not None and (day is None or stamped.date() == day.date()):
        return stamped
    return day


def _stamp(page: str) -> datetime | None:
    head = page[:STAMP_WINDOW]
    for tag in _META_TAG.findall(head):
        if _PUBLISHED_NAME.search(tag):
            content = _CONTENT.search(tag)
            if content is not None:
                return _timed(parse_date(content.group(1)))
    ld = _LD_PUBLISHED.search(head)
    return _timed(parse_date(ld.group(1))) if ld else None


def _timed(value: datetime | None) -> datetime | None:
    """Only a timestamp with a time of day adds anything to the day htmldate found."""
    return value if value is not None and value.time() != time(0, 0) else None


def has_prose(body: str) -> bool:
    """Whether some paragraph reads like a sentence rather than a link or menu label.

    Trafilatura falls back to whatever text a page has, so a home page or a shop grid
    yields its menu ("Home / About us / Contact"). Menu items and headlines are short and
    carry no final punctuation; one sentence of prose is enough to count as an article.
    """
    for line in body.split("\n"):
        for cell in line.split("|"):  # a layout table puts whole paragraphs in cells
            cell = cell.strip()
            long_enough = len(cell.split()) >= MIN_PROSE_WORDS or len(cell) >= MIN_PROSE_CHARS
            if long_enough and cell.endswith(SENTENCE_ENDINGS):
                return True
            # A paragraph may end without a stop ("... more pubs soon. [Telegraph]"); a
            # full sentence inside it, before the next one starts, counts just the same.
            sentences = _SENTENCE_BREAK.split(cell)[:-1]
            if any(len(s.split()) >= MIN_PROSE_WORDS for s in sentences):
                return True
    return False


# The space after a sentence's final stop (and closing quote or bracket, if any).
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…।॥؟۔][\"”’')“«»‹›])\s+|(?<=[.!?…।॥؟۔])\s+")


def one_paragraph_per_line(lines: list[str]) -> str:
    """Trafilatura writes one paragraph per line; blank (or whitespace-only) lines carry
    no meaning there. Lines are joined only where the page's source was hard-wrapped
    (``wraps_into``): text typed straight into a <div> keeps its line breaks."""
    paragraphs: list[str] = []
    for line in lines:
        line = " ".join(line.split())
        if not line:
            continue
        if paragraphs and wraps_into(paragraphs[-1], line):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
    return "\n".join(paragraphs)


# A list item or a table row as trafilatura writes them: never the start of wrapped prose.
_ITEM_OR_ROW = ("- ", "* ", "• ", "|")
# A shorter line is a heading or label ("About Acme", "Classificação NASCAR"), even when
# the paragraph under it opens in lower case ("acme makes...", a Portuguese weekday).
WRAPPED_LINE_MIN_WORDS = 4


def wraps_into(previous: str, line: str) -> bool:
    """Whether ``line`` carries on the sentence that ``previous`` broke off: ``previous``
    ends in a letter or comma (no sentence end, no code or number) and ``line`` opens
    with a lower-case word ("iPhone" is not one). ``line`` must hold a space and
    ``previous`` ``WRAPPED_LINE_MIN_WORDS`` words, so a column of code or of single
    words and a heading are left alone; list items and table rows are too."""
    last, first = previous[-1], line[0]
    if not (last == "," or last.isalpha()) or not first.islower() or line[1:2].isupper():
        return False
    if " " not in line or previous.startswith(_ITEM_OR_ROW):
        return False
    return len(previous.split(maxsplit=WRAPPED_LINE_MIN_WORDS - 1)) >= WRAPPED_LINE_MIN_WORDS


def _drop_title_line(body: str, title: str | None) -> str:
    """Trafilatura keeps the page's <h1>, sometimes after a section label ("Business"),
    as the first lines; the title is stored apart, so both go."""
    lines = body.split("\n")
    for position, line in enumerate(lines[:TITLE_SEARCH_LINES]):
        if title and _same(line, title):
            before = lines[:position]
            if all(_is_label(label) for label in before) and position + 1 < len(lines):
                return "\n".join(lines[position + 1 :])
            break
    return body


# The headline is looked for among the first lines only, and only section labels
# (a few words, no sentence punctuation) may stand before it.
TITLE_SEARCH_LINES = 3
LABEL_MAX_WORDS = 4


def _is_label(line: str) -> bool:
    return len(line.split()) <= LABEL_MAX_WORDS and not line.rstrip().endswith((".", "!", "?", ":"))


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())
