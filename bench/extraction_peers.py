"""The extractors the extraction benchmark runs live: precis through the ``precis add``
path, and the peer libraries, each on a page file (a ``.html.gz``) decoded as ``precis
add`` decodes it, so every tool reads the same characters.

A peer that raises on a page scores that page as empty output (``peer_outputs``); a page
precis refuses ("no article") is None (``precis_articles``). No tool is given the page's
URL: ``precis add`` of a file has none.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from precis.models import Article


def html_paths(root: Path, ids: list[str]) -> dict[str, Path]:
    """The page file of each id, ``<root>/html/<id>.html.gz`` (both Dragnet's and the
    article-extraction-benchmark's layout)."""
    return {item: root / "html" / f"{item}.html.gz" for item in ids}


def precis_articles(paths: Mapping[str, Path]) -> dict[str, Article | None]:
    """precis's extraction on each page, through the ``precis add`` input path; None
    where precis refuses the page."""
    from precis.config import Settings
    from precis.errors import InputError
    from precis.pipeline import extract_inputs

    settings = Settings.load({}, database_url="sqlite://")
    out: dict[str, Article | None] = {}
    for item, path in paths.items():
        (result,) = extract_inputs([str(path)], settings)
        out[item] = None if isinstance(result, InputError) else result
    return out


def precis_outputs(paths: Mapping[str, Path]) -> tuple[dict[str, str], int]:
    """precis's article text per page (empty where refused) and the number refused."""
    articles = precis_articles(paths)
    texts = {item: "" if a is None else a.text for item, a in articles.items()}
    return texts, sum(a is None for a in articles.values())


def page_html(path: Path) -> str:
    """The page as text, decoded as ``precis add`` decodes it, so every tool reads the
    same characters (Dragnet has a few pages in legacy encodings)."""
    from precis.ingest.decode import decode

    return decode(gzip.decompress(path.read_bytes()), str(path))


def trafilatura_text(html: str) -> str:
    """Plain ``trafilatura.extract`` with its defaults, as a user would call it."""
    import trafilatura

    return trafilatura.extract(html) or ""


def trafilatura_no_comments_text(html: str) -> str:
    """``trafilatura.extract`` without the comments it adds by default, as precis calls it:
    the gold text of the Dragnet set leaves reader comments out."""
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def trafilatura_precision_text(html: str) -> str:
    """``trafilatura.extract(favor_precision=True)``, the evaluation's "precision" mode."""
    import trafilatura

    return trafilatura.extract(html, favor_precision=True) or ""


def trafilatura_fast_text(html: str) -> str:
    """``trafilatura.extract(fast=True)`` (no fallback extractors), the evaluation's "fast"
    mode; ``no_fallback`` is its deprecated alias in trafilatura 2.x."""
    import trafilatura

    return trafilatura.extract(html, fast=True) or ""


def justext_text(html: str, language: str = "English") -> str:
    """jusText with ``language``'s stoplist: the paragraphs it does not class as
    boilerplate."""
    import justext

    paragraphs = justext.justext(html, justext.get_stoplist(language))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def justext_german_text(html: str) -> str:
    """jusText with its German stoplist (for the mostly German trafilatura-eval pages)."""
    return justext_text(html, "German")


def readability_text(html: str) -> str:
    """readability-lxml's article HTML, flattened to text with a line per block."""
    from readability import Document

    return block_text(Document(html).summary(html_partial=True))


def boilerpipe_text(html: str) -> str:
    """boilerpy3 (the Python port of boilerpipe), its ArticleExtractor."""
    from boilerpy3 import extractors

    # It prints parser warnings and logs a traceback before raising on broken markup;
    # the failure is counted by peer_outputs, the noise is dropped.
    log = logging.getLogger("boilerpy3")
    log.disabled = True
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            text: str = extractors.ArticleExtractor().get_content(html)
    finally:
        log.disabled = False
    return text


# Elements that start a new line when an HTML fragment is flattened to text: without the
# break, "end</p><p>Next" would read as the one token "endNext".
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)


def block_text(fragment: str) -> str:
    import lxml.html

    if not fragment.strip():
        return ""
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in tree.iter():
        if element.tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (line.strip() for line in tree.text_content().splitlines())
    return "\n".join(line for line in lines if line)


Extractor = Callable[[str], str]


def peer_outputs(paths: Mapping[str, Path], extractor: Extractor) -> tuple[dict[str, str], int]:
    """``extractor`` on each page; a page it fails on counts as empty output."""
    out, failed = {}, 0
    for item, path in paths.items():
        try:
            out[item] = extractor(page_html(path))
        except Exception:  # a peer crashing on one page scores 0 on that page
            failed += 1
            out[item] = ""
    return out, failed
