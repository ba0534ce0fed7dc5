"""A page's headline: trafilatura's title, checked against the page's own <title> element.

Trafilatura takes a page's single <h1>; failing that, the first heading whose class
mentions "title", which on many blogs is a sidebar widget's ("Follow Us!", "Sponsored
Ad", "Newsletter subscription status", a neighbouring post's headline); failing that,
the <title> element. A blog's <h1> is often the blog's name ("Seth's Blog"). The <title>
element is what the publisher named the page, nearly always "Headline | Site", "Site -
Headline" or "Blog: Headline". So, in order (``choose_title``):

1. A title the page shows above the text (one of the text's first lines) is the page's
   headline: the found title, unless a part of the <title> element that does not agree
   with it is shown before it.
2. A found title that is a part of the <title> element stands, unless it is the site's
   name beside the headline: another part that the URL's path carries more of, or what
   follows it and a colon ("Seth's Blog: The importance of going first").
3. A part of the <title> element shown above the text.
4. A found title contradicted by the <title> element (sharing under ``MIN_SHARED`` of
   its words) gives way to the <title>'s headline part: the segment the URL's path
   carries most of, else the first that is long enough and not the host's name; unless
   that segment is the whole <title> and the URL does not carry its words.

A title under ``MIN_HEADLINE_WORDS`` words, or spelling the host's name ("The Curious
Brain" on thecuriousbrain.com), is never taken from the <title> element. Trafilatura's
site name is checked too (``site_name``): on a page that names no site it is a part of
the <title> element, often the headline itself, which would make every post of one blog
a different "source".

The chosen title then loses a separator left dangling at either end (``loose_edges``)
and the site's name beside the headline, where the page states that name or the host
spells it (``drop_site_name``: "Rasende Polizisten - strafprozess.ch"). A <title> written
inside a script, a style or a comment is not the page's (``page_title``).

Hand-written because it is a few rules on top of trafilatura's metadata, which offers no
such check; measured on the Dragnet pages in docs/benchmarks.md ("Titles") and on
trafilatura's evaluation set ("trafilatura-eval").
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from urllib.parse import unquote

from precis.text.hosts import hostname, split
from precis.text.tokens import words

# The <title> element sits in the <head>: only the start of the page is searched.
TITLE_WINDOW = 100_000
# A found title sharing at least this share of its words (or of the <title> headline's,
# whichever is shorter) with the <title> element's headline is the same headline reworded.
MIN_SHARED = 0.5
# A <title> segment shorter than this is a site or section name, not a headline.
MIN_HEADLINE_WORDS = 3
# A <title> that is one segment replaces the found title only when the URL's path holds
# this many of its words (or half of them, if fewer).
URL_WORDS = 2

_TITLE_TAG = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
# Separators between a headline and the site's name: a spaced bar, dash, colon pair,
# bullet or guillemet (a hyphen inside a word, or a colon in "Interview: X", is not one).
_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|•|«|»|‹|›)\s+")
# A colon between a site's name and the headline ("Seth's Blog: The importance of going
# first"); only ever taken as a separator with evidence (see ``choose_title``).
_COLON = re.compile(r"\s*:\s+|\s+:\s*")
# Scripts, styles and comments: text in them is not the page's markup.
_NOT_MARKUP = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
# A separator left alone at either end of a title ("82 Gründe zum weiter hören |",
# "- Mietenstreik in den USA"), or a colon ending it, once the part beside it is gone.
# (Not a guillemet: French quotes stand apart from the words, "« Il y a, d'abord... »".)
_LOOSE_EDGE = re.compile(r"^(?:[|\-–—:·•<>/]+\s+)+|(?:\s+[|\-–—:·•<>/]+)+$|:$")
# Where a site's name stands beside the headline: the separators of the <title> element
# and, since only a known name is dropped (``drop_site_name``), a colon, ">" and the
# box-drawing bar some sites use ("Headline │ Site").
_SITE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|•|«|»|‹|›|>|⋆|│|~)\s+|\s*:\s+")
# A name matched by the host's letters must have this many letters ("BMAS" on bmas.de),
# so that a short word of a headline does not pass for the host.
MIN_HOST_LETTERS = 4


def choose_title(
    found: str | None, page: str, url: str | None, lines: Sequence[str] = ()
) -> str | None:
    """The headline to store: ``found`` (trafilatura's title) unless the page's <title>
    element names a different headline (see the module docstring). ``lines``: the first
    lines of the extracted text, where the page may show its headline above the text."""
    tag = page_title(page)
    if tag is None:
        return found
    segments = [s for s in _SEPARATOR.split(tag) if words(s)] or [tag]
    pieces = [p for segment in segments for p in _COLON.split(segment) if words(p)]
    own = tuple(words(found or ""))
    agrees = bool(own) and (
        own in {tuple(words(p)) for p in pieces} or shared(found or "", tag) >= MIN_SHARED
    )
    # Shown above the text: the page's own headline. Where the found title and a part of
    # the <title> element both are, the <title> wins if it is shown first and does not
    # agree with the found title (a post's headline above a sidebar's).
    found_at = shown_at(lines, [found or ""], None, any_length=True)
    piece_at = shown_at(lines, [tag, *segments, *pieces], url)
    if found_at is not None:
        if agrees or piece_at is None or found_at < piece_at:
            return found
        return lines[piece_at].strip()
    if found and own in {tuple(words(p)) for p in pieces}:
        # The <title> agrees with it, unless it is the site's name beside the headline
        # ("Seth's Blog: The importance of going first"): the URL carries the headline,
        # or it comes after the name and a colon.
        after = after_label(segments, own)
        if after is not None and too_short(after, url):
            after = None
        if not too_short(found, url):
            path = url_words(url)
            others = [p for p in pieces if tuple(words(p)) != own and not too_short(p, url)]
            best = max(others, key=lambda p: overlap(path, p), default=None)
            if best is not None and overlap(path, best) > overlap(path, found):
                return best
            return after or found
        if after is not None:
            return after
    if piece_at is not None:
        return lines[piece_at].strip()
    headline = headline_part(segments, url)
    if found is None:
        return headline
    if own == tuple(words(tag)) and len(segments) > 1 and not too_short(headline, url):
        return headline  # the whole <title>, the site's name included
    if shared(found, headline) >= MIN_SHARED or too_short(headline, url):
        return found
    if len(segments) == 1 and not url_supports(headline, url):
        return found  # nothing but the found title's own word against it
    return headline


def after_label(segments: Sequence[str], label: tuple[str, ...]) -> str | None:
    """What follows ``label`` and a colon at the start of a <title> segment ("Seth's
    Blog: The importance of going first"): a name before a colon is a blog's or a
    column's, the headline comes after it."""
    for segment in segments:
        parts = _COLON.split(segment, maxsplit=1)
        if len(parts) == 2 and tuple(words(parts[0])) == label and words(parts[1]):
            return parts[1].strip()
    return None


def shown_at(
    lines: Sequence[str], candidates: Sequence[str], url: str | None, any_length: bool = False
) -> int | None:
    """Which of ``lines`` (first first) is one of the candidate titles, if any: a page
    shows its headline above the text. Unless ``any_length``, only candidates long
    enough to be a headline and not the site's name count."""
    wanted = {tuple(words(c)) for c in candidates if any_length or not too_short(c, url)}
    wanted.discard(())
    for at, line in enumerate(lines):
        if tuple(words(line)) in wanted:
            return at
    return None


def too_short(segment: str, url: str | None) -> bool:
    """Too few words for a headline, or the site's name."""
    return len(words(segment)) < MIN_HEADLINE_WORDS or names_site(segment, url)


def names_site(segment: str, url: str | None) -> bool:
    """Whether a <title> segment is the site's name: the host name's letters ("The
    Curious Brain" on thecuriousbrain.com). (Trafilatura's site name cannot tell: where
    a page names no site, it is a part of the <title> element, often the headline.)"""
    joined = "".join(words(segment))
    return bool(joined) and joined in "".join(host_words(url))


def url_supports(segment: str, url: str | None) -> bool:
    """Whether the URL's path carries the segment's words (at least two, or half)."""
    if not url:
        return False
    count = len(set(words(segment)))
    return overlap(url_words(url), segment) >= min(URL_WORDS, max(1, count // 2))


def host_words(url: str | None) -> list[str]:
    """The words of a URL's host name, in order."""
    return words(hostname(url) or "")


def overlap(path: set[str], text: str) -> int:
    """How many of ``text``'s words a URL's path (``url_words``) carries."""
    return len(path & set(words(text)))


def url_words(url: str | None) -> set[str]:
    """The words of a URL's path (publishers put the headline's words there)."""
    parts = split(url)
    return set(words(unquote(parts.path))) if parts else set()


def page_title(page: str) -> str | None:
    """The text of the page's first <title> element, unescaped, NFC, on one line; a <title>
    written inside a script ("doc += '<title>' + title + '</title>'"), a style or a
    comment is not the page's."""
    match = _TITLE_TAG.search(_NOT_MARKUP.sub(" ", page[:TITLE_WINDOW]))
    if match is None:
        return None
    text = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", match.group(1))).split())
    text = unicodedata.normalize("NFC", text)  # as the extracted text and title are
    return text or None


def headline_part(segments: list[str], url: str | None) -> str:
    """The segment of a <title> element that is the headline: the one sharing most
    words with the URL's path, else the first of ``MIN_HEADLINE_WORDS`` or more words
    that are not all in the URL's host name, else the longest."""
    if len(segments) < 2:
        return segments[0]
    path = url_words(url)
    overlaps = [overlap(path, s) for s in segments]
    if max(overlaps) > 0:
        return segments[overlaps.index(max(overlaps))]
    host = set(host_words(url))
    for segment in segments:
        own = set(words(segment))
        if len(own) >= MIN_HEADLINE_WORDS and not own <= host:
            return segment
    return max(segments, key=lambda s: len(words(s)))


def shared(first: str, second: str, of: Callable[[int, int], int] = min) -> float:
    """The share of words two titles have in common, of the shorter one's words (or,
    with ``of=max``, of the longer one's)."""
    a, b = set(words(first)), set(words(second))
    if not a or not b:
        return 0.0
    return len(a & b) / of(len(a), len(b))


def site_name(found: str | None, title: str | None, host: str | None) -> str | None:
    """Trafilatura's site name (``plain_site_name``), unless it is the headline again (it
    takes a part of the <title> element when the page names no site), in which case the
    host name. Only names sharing most words of both are the same: a headline may name
    its outlet."""
    found = plain_site_name(found) if found else found
    if found is None:
        return host or None
    if title and shared(found, title, of=max) >= MIN_SHARED:
        return host or None
    return found


# What pages put in their site-name fields besides the name: a copyright notice ("Copyright
# (c) 2012 ABC News Internet Ventures", "... All Rights Reserved.").
_COPYRIGHT = re.compile(r"^(?:(?:copyright\b|©|\(c\))[\s,]*)+", re.IGNORECASE)
_YEARS = re.compile(r"^\d{4}(?:\s*[-–]\s*\d{4})?\b[\s,.]*|[\s,]*\b\d{4}(?:\s*[-–]\s*\d{4})?$")
_RESERVED = re.compile(r"[\s,;]*all rights reserved\W*$", re.IGNORECASE)
# The full stop before the notice ends the name's sentence ("... of Science. All Rights
# Reserved.") unless it ends an abbreviation ("Harbour Media, Inc."): a word this long.
_SENTENCE_END = re.compile(r"(?<=\w{5})\.$")
# A site name longer than this with a separator in it is "Name - its tagline".
LONG_SITE_NAME = 40
SENTENCE_NAME_WORDS = 6  # a "name" of this many words ending in a full stop is a tagline


def plain_site_name(found: str) -> str | None:
    """The site's name out of a site-name field: without a copyright notice around it,
    the name before the tagline of a long "Zillow Blog - Real Estate Market Stats, ..."
    name; ``None`` for a sentence ("We are marketing consultants with a passion for
    ...") or nothing left."""
    name = found.strip()
    if _RESERVED.search(name):
        name = _SENTENCE_END.sub("", _RESERVED.sub("", name).strip())
    if _COPYRIGHT.match(name):  # the notice's years go with it: "© 2012 Name", "© Name 2024"
        name = _YEARS.sub("", _COPYRIGHT.sub("", name)).strip()
    if len(name) > LONG_SITE_NAME:
        head = _SITE_SEPARATOR.split(name, maxsplit=1)[0].strip()
        name = head if words(head) else name
    if not words(name):
        return None
    if name.endswith(".") and len(name.split()) >= SENTENCE_NAME_WORDS:
        return None
    return name


def loose_edges(title: str) -> str:
    """``title`` without a separator (or a colon) left dangling at either end."""
    return _LOOSE_EDGE.sub("", title).strip() or title


def drop_site_name(title: str, names: Sequence[str | None], host: str | None) -> str:
    """``title`` without the site's name beside the headline ("Rasende Polizisten -
    strafprozess.ch", "Netzpolitik als US-Wahlkampfthema - Netz Für Alle"): a part
    before the first or after the last separator that is one of ``names`` (the site name
    the page gives) word for word, or spells the host's name. The headline left must
    itself have words and not be the site's name."""
    known = {tuple(words(name)) for name in names if name} - {()}
    site_letters = "".join(host_words(f"//{host}")) if host else ""

    def is_site(part: str) -> bool:
        own = tuple(words(part))
        joined = "".join(own)
        by_host = len(joined) >= MIN_HOST_LETTERS and joined in site_letters
        return bool(own) and (own in known or by_host)

    breaks = list(_SITE_SEPARATOR.finditer(title))
    # The name after a separator (the usual "Headline | Site"), the longest first, so a
    # name with a separator in it ("Mady Morrison - Yoga Lifestyle") goes whole; then
    # the name before one ("BMAS - Headline").
    cuts = [(title[: m.start()], title[m.end() :]) for m in breaks]
    for headline, site in cuts:
        if is_site(site) and words(headline) and not is_site(headline):
            return loose_edges(headline.strip())
    for site, headline in reversed(cuts):
        if is_site(site) and words(headline) and not is_site(headline):
            return loose_edges(headline.strip())
    return title


def stated_site(found: str | None) -> str | None:
    """Trafilatura's site name where it can be the page's own statement of it: without a
    meta tag naming the site, trafilatura takes a <title> part with a dot in it, which may
    be the headline's end ("Sehnsucht von R. K. Lilley"); a name with both spaces and a
    dot is not trusted to be the site's."""
    if found is None or (" " in found and "." in found):
        return None
    return found
