"""Site templates: the paragraphs a site repeats around the text of every article.

Extraction works one page at a time, so what a site prints beside every post (an author
box, a newsletter blurb, a column of credit-card offers, a "Crypto-Gram" sidebar) can
survive it: nothing on a single page says it is not the article's. Across pages of one
site it shows: the same paragraph, word for word, at the top or the bottom of the text
of several different articles. Counted as the article's words, it is shared evidence:
the posts of one blog, on unrelated subjects, end up in one "story" because they share
the rare words of the blog's sidebar.

The rule (site-level template detection in the spirit of Bar-Yossef and Rajagopalan's
"template detection via data mining", reduced to what extracted text still carries): a
paragraph is part of a site's template when at least ``MIN_TITLES`` articles of the
site with different titles have it (setting ``template_min_titles``) (the same words after case and whitespace folding).
Different titles, because copies and updated versions of one article (which share its
paragraphs and its title) are one article, not a template's evidence. The leading and the
trailing run of template paragraphs is left out of what story grouping compares
(``strip``; the stored text keeps them, see ``precis.store.templates`` for why); a
repeated paragraph inside the text (a background paragraph a follow-up report repeats)
stays, and so does the whole text when every paragraph of it is the site's (an index
page, or a copy: a template needs an article to wrap). Hand-written because it is a few
lines over the site's paragraph counts, which only the store (or a batch that sees the
whole input) has; the counts themselves are kept by ``precis.store.templates``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Sequence

from precis.models import Article
from precis.text.hosts import url_host

# Articles of one site, with different titles, that must share a paragraph before it
# counts as the site's (the default of the ``template_min_titles`` setting): two reports
# of one outlet may repeat a paragraph (the same background); three different articles
# carrying the same edge paragraph are a template.
MIN_TITLES = 3
_SPACE = re.compile(r"\s+")


def site_of(url: str | None, source: str | None) -> str | None:
    """Whose template an article would carry: the URL's host without "www."
    (``hosts.url_host``, the site name ``precis.extract.titles`` falls back to), else the
    source's name (case-folded), else nobody's."""
    host = url_host(url)
    if host:
        return host
    name = _SPACE.sub(" ", source or "").strip().casefold()
    return name or None


def article_site(article: Article) -> str | None:
    return site_of(article.url, article.source)


def paragraphs(text: str) -> list[str]:
    """The text's non-blank lines, as stored text keeps one paragraph per line."""
    return [line for line in text.split("\n") if line.strip()]


def digest(paragraph: str) -> str:
    """A paragraph's fingerprint: its words, case and whitespace folded."""
    folded = _SPACE.sub(" ", paragraph).strip().casefold()
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()[:16]


def title_key(title: str | None) -> str:
    """What tells two articles of one site apart for the rule: the folded title."""
    return digest(title or "")


def digests(text: str) -> list[str]:
    """The fingerprints of the text's distinct paragraphs, in order of first use."""
    return list(dict.fromkeys(digest(p) for p in paragraphs(text)))


def strip(text: str, is_template: Callable[[str], bool]) -> str:
    """``text`` without its leading and trailing runs of template paragraphs (by
    fingerprint); unchanged when nothing else would be left."""
    lines = paragraphs(text)
    kept = [not is_template(digest(p)) for p in lines]
    if not any(kept):
        return text
    first = kept.index(True)
    last = len(kept) - 1 - kept[::-1].index(True)
    if first == 0 and last == len(lines) - 1:
        return text
    return "\n".join(lines[first : last + 1])


def enough(titles: int, least: int) -> bool:
    """The rule: a paragraph that articles of this many different titles of one site
    carry is the site's template (``least``: the titles it takes)."""
    return titles >= least


def tips(others: Collection[str], mine: str, least: int) -> bool:
    """Whether an article titled ``mine`` decides the rule for a paragraph that articles
    titled ``others`` (the site's other ones) carry: adding it makes the paragraph a
    template, removing it unmakes it."""
    return mine not in others and len(others) + 1 == least


def strip_all(
    texts: Sequence[str],
    sites: Sequence[str | None],
    titles: Sequence[str | None],
    found: Sequence[Sequence[str]] | None = None,
    *,
    least: int,
) -> list[str]:
    """Each text without its site's template, the sites' paragraphs counted over
    ``texts`` themselves (a batch that sees its whole input: ``precis cluster``).
    ``found``: each text's paragraph fingerprints (``digests``), when already known;
    only a text with a template paragraph is read again; ``least``: the titles a
    template takes."""
    if found is None:
        found = [digests(text) for text in texts]
    carrying: dict[tuple[str, str], set[str]] = {}
    for own, site, title in zip(found, sites, titles, strict=True):
        if site is not None:
            key = title_key(title)
            for digest_ in own:
                carrying.setdefault((site, digest_), set()).add(key)
    stripped = []
    for text, own, site in zip(texts, found, sites, strict=True):
        template = {d for d in own if enough(len(carrying.get((site or "", d), ())), least)}
        stripped.append(strip(text, template.__contains__) if template else text)
    return stripped
