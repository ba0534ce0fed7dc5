"""Extractive summaries: every summary sentence is a sentence of the article.

``SUMMARIZERS`` maps method names (the CLI's ``--method`` choices and the API's values)
to classes; ``summarize`` is the one entry point.
"""

from __future__ import annotations

from precis.errors import PrecisError
from precis.models import ParsedDocument, Summary
from precis.summarize.base import Budget, Length, Summarizer, build_summary
from precis.summarize.classic import Lead, LexRank, TextRank
from precis.summarize.precis import Precis
from precis.text.sentences import parse

SUMMARIZERS: dict[str, type[Summarizer]] = {
    "precis": Precis,
    "lead": Lead,
    "textrank": TextRank,
    "lexrank": LexRank,
}

__all__ = ["SUMMARIZERS", "Budget", "Length", "get_summarizer", "summarize", "summarize_text"]


def get_summarizer(method: str) -> Summarizer:
    try:
        return SUMMARIZERS[method]()
    except KeyError:
        choices = ", ".join(sorted(SUMMARIZERS))
        raise PrecisError(f"unknown summary method {method!r}; choose one of {choices}") from None


def summarize(doc: ParsedDocument, length: Length, method: str = "precis") -> Summary:
    summarizer = get_summarizer(method)
    if not doc.sentences:
        return Summary(method, ())
    indexes = summarizer.select(doc, length.budget(doc))
    return build_summary(doc, method, indexes)


def summarize_text(
    text: str, title: str = "", length: Length | None = None, method: str = "precis"
) -> Summary:
    """Summarize raw clean text (paragraphs on lines)."""
    return summarize(parse(text, title), length or Length(), method)
