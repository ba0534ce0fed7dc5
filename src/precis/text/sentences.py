"""Sentence segmentation with character offsets.

Paragraphs are lines (clean text separates paragraphs with newlines); sentences come
from nupunkt, a maintained Punkt implementation with a bundled English model and no
downloads. It was chosen by measurement (``python -m bench.run sentences``, table in
docs/benchmarks.md) against pysbd, syntok and blingfire on a hand-labelled set of news
sentences (abbreviations, quotes, decimals, lower-cased and PTB pre-tokenised text) and
on BBC News Summary's known sentences: pysbd was about as accurate but some 30x slower
(the splitter runs on every summary), syntok and blingfire split lower-cased and
pre-tokenised text badly, and nupunkt is the fastest of the four.

Small repairs, each for an error nupunkt makes on the labelled set (the month rule: on
real news roundups), run after it:

* split after ``No.``/``U.S.``/``Inc.``-style abbreviations when the next word is a
  capitalised closed-class word that starts sentences (``It``, ``The``, ``But``...) or,
  for ``No.``, anything but a number (``No. 1`` stays whole; ``No. Maybe.`` splits);
  also after ``per cent.`` before any capitalised word (nupunkt reads ``cent.`` as an
  abbreviation, which glues whole paragraphs of British economic news together);
* merge a split after a title (``Dr.``, ``Sen.``...), after a dotted initialism
  followed by a lower-case word (``the N.H.S. | needs``) or after a month before a
  number (``“Jan. | 6 was``): none of them ends a sentence;
  and merge a piece that opens with a closing bracket (``(did you vote? | ), I am
  tired...``) or with a dash and a lower-case word (``— did you vote? | — we
  reach...``): no sentence starts so; nupunkt split at a question mark or full stop
  inside the brackets or dashes.

A table row, which trafilatura writes as ``| a | b |``, is split at its cells first: a
layout table puts a page's menu and its article side by side in one row, and without
this the row reads as one sentence that opens with bars and runs the menu into the
article (seen on real pages; see "Summaries of real web pages" in docs/benchmarks.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import nupunkt

from precis.models import ParsedDocument, Span, StoredArticle

_PARAGRAPH = re.compile(r"[^\n]+")
# A "sentence" longer than this (characters) is cut at the nearest whitespace so that one
# run-on line (a table, a list without punctuation) cannot dominate a summary.
MAX_SENTENCE_CHARS = 1200
# Capitalised words that start sentences but rarely follow an abbreviation mid-sentence.
_STARTERS = (
    "A An The It Its He His She Her They Their We Our I This That These Those There But "
    "And However Meanwhile In On At If When While After Before"
)
_SPLIT_AFTER = re.compile(
    r"(?:\b(?:[A-Z]\.){2,}|\b(?:Inc|Corp|Ltd|Co|Jr|Sr|[ap]\.m)\.)(?=\s+(?:"
    + "|".join(_STARTERS.split())
    + r")\b)|\b[Nn]o\.(?=\s+[A-Za-z])"
    # nupunkt's model takes "cent." for an abbreviation, so "grew 3 per cent. Report..."
    # stays one sentence; "per cent." never comes before a capitalised word mid-sentence.
    + r"|\bper cent\.(?=\s+[A-Z\"“‘'])"
)
# Cheap necessary conditions for a _SPLIT_AFTER match (it is slow to scan every
# paragraph with it): an initialism ("U.S."), or one of these literal abbreviations.
_SPLIT_LITERALS = (
    "Inc.",
    "Corp.",
    "Ltd.",
    "Co.",
    "Jr.",
    "Sr.",
    "a.m.",
    "p.m.",
    "No.",
    "no.",
    "cent.",
)
# The same conditions as one search that starts at a full stop (each literal ends in one,
# an initialism has one after its first letter), so the regex engine jumps from one "."
# to the next instead of testing each literal with ``in`` (faster in an A/B timing).
_SPLIT_PRECHECK = re.compile(
    r"\.(?:"
    + "|".join(f"(?<={re.escape(literal)})" for literal in _SPLIT_LITERALS)
    + r"|(?<=[A-Z]\.)(?=[A-Z]\.))"
)
# Never the end of a sentence: a title before a name, or "e.g."-style Latin.
_TITLE_END = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Prof|Sen|Rep|Gov|Gen|Col|Lt|Capt|Sgt|Rev|Hon|St|vs|e\.g|i\.e)\.$",
    re.IGNORECASE,
)
# A month's abbreviation before a day or year ("Jan. 6", "Sept. 2021") never ends a
# sentence; nupunkt splits there when a quote or bracket comes right before the month
# ("“Jan. 6 was a dark day,” she said" gave the fragment "“Jan.").
_MONTH_END = re.compile(r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.$")
# A table row as trafilatura writes it: a line opening with "|". Its cells are separated
# by bars; "\\|" is a bar inside a cell's text.
_TABLE_ROW = re.compile(r"[ \t]*\|")
_CELL_BAR = re.compile(r"(?<!\\)\|")
# What only continues a sentence: a closing bracket, or a dash and a lower-case word
# (the close of an aside: "... do you know who your councillor is? — we reach"). (A comma or a closing quote and
# comma, as in 'asked "why me?", and', would be one too, but merging those as well
# lowered Newsroom R1 by 0.06 through two documents' word counts; see docs/benchmarks.md.)
_CONTINUATION = re.compile(r"\s*(?:[)\]}]|[—–]\s+[a-z])")
_ABBREVIATION_TAIL = 24  # characters of a sentence's end that the two patterns inspect
_LONG_WORD = 5  # word characters before a final full stop that no title or initialism has
_INITIALISM_END = re.compile(r"\b(?:[A-Za-z]\.){2,}$")


def paragraphs(text: str) -> Iterator[Span]:
    """Non-blank lines of ``text`` as spans, leading/trailing whitespace excluded."""
    for match in _PARAGRAPH.finditer(text):
        span = _strip(text, match.start(), match.end())
        if span is not None:
            yield span


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of ``text[start:end]`` as spans into ``text``, whitespace trimmed; a
    table row's cells are split apart first (no sentence spans two cells)."""
    end = len(text) if end is None else end
    if _TABLE_ROW.match(text, start, end) is None:  # the usual case: not a table row
        return _split_cell(text, start, end)
    spans: list[Span] = []
    cell_start = start
    for bar in _CELL_BAR.finditer(text, start, end):
        spans += _split_cell(text, cell_start, bar.start())
        cell_start = bar.end()
    return spans + _split_cell(text, cell_start, end)


def _split_cell(text: str, start: int, end: int) -> list[Span]:
    chunk = text[start:end]
    spans: list[Span] = []
    for a, b in _repaired(chunk):
        pieces = [(a, b)] if b - a <= MAX_SENTENCE_CHARS else _cut_long(chunk, a, b)
        for piece in pieces:
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


def _repaired(chunk: str) -> list[tuple[int, int]]:
    """nupunkt's spans with the two repairs in the module docstring applied."""
    spans = nupunkt.sent_spans(chunk)
    if not _may_split(chunk):  # the usual case: nothing to split
        pieces = spans
    else:
        pieces = []
        for a, b in spans:
            for match in _SPLIT_AFTER.finditer(chunk, a, b):
                pieces.append((a, match.end()))
                a = match.end()
            pieces.append((a, b))
    merged: list[tuple[int, int]] = []
    for a, b in pieces:
        if merged:
            previous = chunk[merged[-1][0] : merged[-1][1]].rstrip()
            # Both joining patterns need a full stop at the end: test that first.
            if previous.endswith(".") and _joins(previous, chunk[a:b].lstrip()):
                merged[-1] = (merged[-1][0], b)
                continue
            if _CONTINUATION.match(chunk, a, b) is not None:
                merged[-1] = (merged[-1][0], b)
                continue
        merged.append((a, b))
    return merged


def _may_split(chunk: str) -> bool:
    """False only where ``_SPLIT_AFTER`` cannot match ``chunk``: it has none of
    ``_SPLIT_LITERALS`` and no initialism."""
    return _SPLIT_PRECHECK.search(chunk) is not None


def _joins(previous: str, following: str) -> bool:
    previous = previous[-_ABBREVIATION_TAIL:]
    if following[:1].isdigit() and _MONTH_END.search(previous):
        return True
    # Both patterns end in a word of at most four characters (a title) or one letter (an
    # initialism) before the final full stop: five word characters there rule both out
    # without running either (the usual case, "... the city.").
    last = previous[-6:-1]
    if len(last) == _LONG_WORD and last.isalnum() and previous.endswith("."):
        return False
    if _TITLE_END.search(previous):
        return True
    return bool(_INITIALISM_END.search(previous)) and following[:1].islower()


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


# Stored spans carry the splitter's version: when the splitting rules change, spans stored
# by an older precis are ignored (and the text re-split) instead of disagreeing with what
# a fresh split would give. Bump it with any change to what ``parse`` returns.
# 2: table rows split at their cells; 3: continuations merged; 4: a month before a number
SPLITTER_VERSION = 4


def encode(doc: ParsedDocument) -> str:
    """``doc``'s sentence spans as compact JSON: ``[version, start, end, paragraph, ...]``."""
    flat = [SPLITTER_VERSION]
    for span, paragraph in zip(doc.sentences, doc.paragraph_of, strict=True):
        flat += (span.start, span.end, paragraph)
    return json.dumps(flat, separators=(",", ":"))


def decode(encoded: str | None, text: str, title: str = "") -> ParsedDocument | None:
    """The document ``encode`` stored for ``text``; None when there is nothing usable
    (not stored, another splitter version, or spans that do not fit the text).

    The column may come from elsewhere (``precis import`` of an edited export), and the
    reader renders sentences paragraph by paragraph, so a span is used only when it is
    made of integers, ordered and disjoint, and inside the paragraph it names: anything
    else would drop or garble text on the page."""
    if not encoded:
        return None
    try:
        flat = json.loads(encoded)
    except ValueError:
        return None
    if not isinstance(flat, list) or not flat or flat[0] != SPLITTER_VERSION or len(flat) % 3 != 1:
        return None
    if not all(type(value) is int for value in flat):  # bool is an int subclass: refused
        return None
    starts, ends, paragraphs_of = flat[1::3], flat[2::3], flat[3::3]
    spans = list(paragraphs(text))
    previous_end, previous_paragraph = 0, 0
    for start, end, number in zip(starts, ends, paragraphs_of, strict=True):
        if not (previous_end <= start < end and previous_paragraph <= number < len(spans)):
            return None
        if not spans[number].start <= start < end <= spans[number].end:
            return None
        previous_end, previous_paragraph = end, number
    sentences = tuple(Span(a, b) for a, b in zip(starts, ends, strict=True))
    return ParsedDocument(title, text, sentences, tuple(paragraphs_of))


def stored_split(
    stored: StoredArticle, split: Callable[[str, str], ParsedDocument] = parse
) -> ParsedDocument:
    """A stored article split into sentences: its stored split when usable, else
    ``split`` (``parse``, or a cached ``parse``) of its text."""
    return decode(stored.sentences, stored.text, stored.title) or split(stored.text, stored.title)
