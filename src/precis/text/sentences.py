"""Sentence segmentation with character offsets.

Paragraphs are lines (clean text separates paragraphs with newlines); sentences come
from nupunkt, a maintained Punkt implementation with a bundled English model and no
downloads. It was chosen by measurement against pysbd, syntok and blingfire on
accuracy (abbreviations, quotes, lower-cased and pre-tokenised text) and speed: see
``bench/sentences.py`` and docs/benchmarks.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import nupunkt

from precis.models import ParsedDocument, Span

_PARAGRAPH = re.compile(r"[^\n]+")
# A "sentence" longer than this (characters) is cut at the nearest whitespace so that one
# run-on line (a table, a list without punctuation) cannot dominate a summary.
MAX_SENTENCE_CHARS = 1200


def paragraphs(text: str) -> Iterator[Span]:
    """Non-blank lines of ``text`` as spans, leading/trailing whitespace excluded."""
    for match in _PARAGRAPH.finditer(text):
        span = _strip(text, match.start(), match.end())
        if span is not None:
            yield span


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of ``text[start:end]`` as spans into ``text``, whitespace trimmed."""
    end = len(text) if end is None else end
    chunk = text[start:end]
    spans: list[Span] = []
    for a, b in nupunkt.sent_spans(chunk):
        for piece in _cut_long(chunk, a, b):
            span = _strip(text, start + piece[0], start + piece[1])
            if span is not None:
                spans.append(span)
    return spans


def parse(text: str, title: str = "") -> ParsedDocument:
    """Split ``text`` into paragraphs and sentences, keeping offsets into ``text``."""
    sentences: list[Span] = []
    paragraph_of: list[int] = []
    for number, para in enumerate(paragraphs(text)):
        for span in split_sentences(text, para.start, para.end):
            sentences.append(span)
            paragraph_of.append(number)
    return ParsedDocument(title, text, tuple(sentences), tuple(paragraph_of))


def _strip(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _cut_long(chunk: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while end - start > MAX_SENTENCE_CHARS:
        cut = chunk.rfind(" ", start, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        yield start, cut
        start = cut
    yield start, end
