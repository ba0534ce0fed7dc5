"""Extraction: ``RawDocument`` in, clean ``Article`` out (title, metadata, main text)."""

from __future__ import annotations

from precis.extract.html import extract_html
from precis.extract.rules import Rules
from precis.extract.text import extract_text
from precis.models import Article, RawDocument

__all__ = ["Rules", "extract"]


def extract(raw: RawDocument, rules: Rules) -> Article:
    """Clean ``raw`` into an article; raises ``ExtractionError`` when it holds none."""
    if raw.media_type == "html":
        return extract_html(raw, rules)
    return extract_text(raw, rules)
