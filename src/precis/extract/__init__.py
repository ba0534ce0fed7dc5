"""Extraction: ``RawDocument`` in, clean ``Article`` out (title, metadata, main text)."""

from __future__ import annotations

import dataclasses

from precis.extract.html import extract_html
from precis.extract.rules import Rules
from precis.extract.text import extract_text
from precis.models import Article, RawDocument

__all__ = ["Rules", "extract"]


def extract(raw: RawDocument, rules: Rules) -> Article:
    """Clean ``raw`` into an article; raises ``ExtractionError`` when it holds none."""
    article = extract_html(raw, rules) if raw.media_type == "html" else extract_text(raw, rules)
    if raw.record is not None:  # keep the whole JSONL line, metadata included
        article = dataclasses.replace(article, raw=raw.record, raw_type="jsonl")
    return article
