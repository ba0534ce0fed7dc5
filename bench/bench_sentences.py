"""Sentence splitting: nupunkt, pysbd, syntok, blingfire and precis's own split, side by side.

Accuracy on a hand-labelled set (``bench/data/sentences_gold.jsonl``: abbreviations,
quotes, decimals, lower-cased and PTB pre-tokenised news text): boundary precision,
recall and F1 over sentence ends, and the share of cases split exactly right. Check on
real text: BBC News Summary reference sentences are sentences of their article, so the
share of them that a splitter returns as one whole sentence is a recall measure on 500
articles (duplicates removed). Speed: characters per second over those articles, split
paragraph by paragraph as ``precis.text.sentences.parse`` does, timed on a second pass
(the first loads models and fills memos, for every splitter alike).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT, MissingData, write_result
from precis.text.sentences import paragraphs, split_sentences

GOLD = ROOT / "bench" / "data" / "sentences_gold.jsonl"
_SPACE = re.compile(r"\s+")

Splitter = Callable[[str], list[tuple[int, int]]]


def _nupunkt() -> Splitter:
    import nupunkt

    return lambda text: [(int(a), int(b)) for a, b in nupunkt.sent_spans(text)]


def _pysbd() -> Splitter:
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: [(s.start, s.end) for s in segmenter.segment(text)]


def _syntok() -> Splitter:
    import syntok.segmenter as segmenter

    def split(text: str) -> list[tuple[int, int]]:
        spans = []
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                first, last = sentence[0], sentence[-1]
                spans.append((first.offset, last.offset + len(last.value)))
        return spans

    return split


def _blingfire() -> Splitter:
    import blingfire

    def split(text: str) -> list[tuple[int, int]]:
        if not text.strip():
            return []
        return [(a, b) for a, b in blingfire.text_to_sentences_and_offsets(text)[1]]

    return split


def _precis() -> Splitter:
    return lambda text: [(s.start, s.end) for s in split_sentences(text)]


def splitters() -> dict[str, Splitter]:
    return {
        "precis (nupunkt + repairs)": _precis(),
        "nupunkt": _nupunkt(),
        "pysbd": _pysbd(),
        "syntok": _syntok(),
        "blingfire": _blingfire(),
    }


def gold_cases() -> list[dict[str, Any]]:
    with GOLD.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _ends(text: str, spans: list[tuple[int, int]]) -> set[int]:
    """Internal sentence ends, as offsets with trailing whitespace ignored."""
    ends = set()
    for _, end in spans:
        while end > 0 and text[end - 1].isspace():
            end -= 1
        ends.add(end)
    ends.discard(len(text.rstrip()))
    return ends


def accuracy(split: Splitter, cases: list[dict[str, Any]]) -> dict[str, Any]:
    hits = predicted = expected = exact = 0
    wrong = []
    for case in cases:
        text = " ".join(case["sentences"])
        gold: set[int] = set()
        position = 0
        for sentence in case["sentences"][:-1]:
            position += len(sentence)
            gold.add(position)
            position += 1
        found = _ends(text, split(text))
        hits += len(found & gold)
        predicted += len(found)
        expected += len(gold)
        if found == gold:
            exact += 1
        else:
            wrong.append(case["case"])
    precision = hits / predicted if predicted else 1.0
    recall = hits / expected if expected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "boundary_precision": round(100 * precision, 1),
        "boundary_recall": round(100 * recall, 1),
        "boundary_f1": round(100 * f1, 1),
        "cases_exact": f"{exact}/{len(cases)}",
        "wrong_cases": wrong,
    }


def _norm(text: str) -> str:
    """Whitespace collapsed and outer quotes dropped: the BBC references' own split moves
    a closing quote to the next sentence (README quirk), which no splitter should pay for."""
    return _SPACE.sub(" ", text).strip().strip("\"'“”‘’ ")


def bbc_check(split: Splitter, articles: list[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    found = total = 0
    characters = 0
    seconds = 0.0
    for text, reference in articles:
        start = time.perf_counter()
        sentences = set()
        for para in paragraphs(text):
            chunk = text[para.start : para.end]
            sentences.update(_norm(chunk[a:b]) for a, b in split(chunk))
        seconds += time.perf_counter() - start
        characters += len(text)
        total += len(reference)
        found += sum(_norm(s) in sentences for s in reference)
    return {
        "bbc_reference_sentences_found": round(100 * found / total, 2),
        "chars_per_second": round(characters / seconds),
    }


def _bbc_articles(quick: bool) -> list[tuple[str, tuple[str, ...]]]:
    from bench.summary_data import QUICK_DOCUMENTS, bbc

    try:
        items = bbc(QUICK_DOCUMENTS if quick else None)
    except MissingData as exc:
        print(f"BBC check skipped: {exc}")
        return []
    return [(item.text, item.reference) for item in items]


def _clear_nupunkt_memo() -> None:
    """nupunkt memoises boundary decisions per process; start each splitter equal."""
    import nupunkt

    nupunkt._get_default_model().clear_decision_cache()


def run(args: argparse.Namespace) -> int:
    cases = gold_cases()
    articles = _bbc_articles(args.quick)
    results: dict[str, Any] = {"gold_cases": len(cases), "bbc_articles": len(articles)}
    table: dict[str, Any] = {}
    for name, split in splitters().items():
        row = accuracy(split, cases)
        if articles:
            _clear_nupunkt_memo()
            bbc_check(split, articles)  # warm pass: model loading and memos, for every tool
            row.update(bbc_check(split, articles))
        table[name] = row
        print(name, json.dumps(row), flush=True)
    results["splitters"] = table
    path: Path = write_result("sentences-quick" if args.quick else "sentences", results)
    print(f"wrote {path}")
    return 0
