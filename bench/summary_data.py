"""News with reference summaries for the summary benchmarks: SummEval, BBC News Summary
and the Newsroom human-evaluation sample.

All three sets are read from ../shared/data (see each set's README for its format); a missing
set raises ``MissingData`` so the runner skips with a clear message.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import shared
from precis.text.sentences import split_sentences

BBC_DOCUMENTS = 500  # the "first 500, duplicates removed"
QUICK_DOCUMENTS = 40  # --quick: a smoke run, not a measurement
# BBC quirk (README): reference sentences are glued without a space after the stop.
_BBC_SUMMARY_SPLIT = re.compile(r"(?<=[.!?])(?=[A-Z\"'])")
_NOT_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class Item:
    """One article with its reference summary (as sentences)."""

    id: str
    title: str
    text: str
    reference: tuple[str, ...]
    systems: dict[str, str] = field(default_factory=dict)
    # Every reference the set has (SummEval: the original highlights plus 10 crowd-written
    # summaries), each as sentences; ``reference`` is the first of them.
    references: tuple[tuple[str, ...], ...] = ()


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _sentences(text: str) -> tuple[str, ...]:
    return tuple(text[s.start : s.end] for s in split_sentences(text))


def summeval(limit: int | None = None) -> list[Item]:
    """The 100 SummEval CNN/DM articles: ``src`` (no title, one paragraph), ``ref_summ``
    and all 11 ``ref_summs``."""
    items = []
    for record in _lines(shared("summeval", "summeval.jsonl.gz")):
        sentences = _sentences(record["ref_summ"])
        systems = {name: value["sys_summ"] for name, value in record["sys_summs"].items()}
        others = tuple(_sentences(r) for r in record["ref_summs"] if r != record["ref_summ"])
        items.append(
            Item(record["doc_id"], "", record["src"], sentences, systems, (sentences, *others))
        )
    return items[:limit]


def newsroom(limit: int | None = None) -> list[Item]:
    """The 60 Newsroom human-evaluation articles (38 publishers; tokenised, no title, one
    paragraph) with their reference summaries; not used to choose precis's weights."""
    items = []
    for record in _lines(shared("newsroom-human-eval", "newsroom-human-eval.jsonl.gz")):
        sentences = _sentences(record["ref_summ"])
        systems = {name: value["sys_summ"] for name, value in record["sys_summs"].items()}
        items.append(Item(record["doc_id"], "", record["src"], sentences, systems, (sentences,)))
    return items[:limit]


def _dedup_key(title: str, article: str) -> str:
    return _NOT_WORD.sub(" ", f"{title} {article}".casefold()).strip()


def bbc(limit: int | None = None) -> list[Item]:
    """The first ``BBC_DOCUMENTS`` BBC articles after removing duplicates (title + body
    equal after lower-casing and dropping punctuation; the first copy is kept)."""
    wanted = BBC_DOCUMENTS if limit is None else min(limit, BBC_DOCUMENTS)
    seen: set[str] = set()
    items: list[Item] = []
    for record in _lines(shared("bbc-news-summary", "bbc_news_summary.jsonl.gz")):
        key = _dedup_key(record["title"], record["article"])
        if key in seen:
            continue
        seen.add(key)
        summary = tuple(s.strip() for s in _BBC_SUMMARY_SPLIT.split(record["summary"]) if s.strip())
        items.append(
            Item(record["id"], record["title"], record["article"], summary, references=(summary,))
        )
        if len(items) >= wanted:
            break
    return items


def datasets(quick: bool) -> dict[str, list[Item]]:
    limit = QUICK_DOCUMENTS if quick else None
    return {"summeval": summeval(limit), "bbc": bbc(limit), "newsroom": newsroom(limit)}
