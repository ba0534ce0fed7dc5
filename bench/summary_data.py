"""News with reference summaries for the summary benchmarks: SummEval and BBC News Summary.

Both sets are read from ../shared/data (see each set's README for its format); a missing
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


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def summeval(limit: int | None = None) -> list[Item]:
    """The 100 SummEval CNN/DM articles: ``src`` (no title, one paragraph) and ``ref_summ``."""
    items = []
    for record in _lines(shared("summeval", "summeval.jsonl.gz")):
        reference = record["ref_summ"]
        sentences = tuple(reference[s.start : s.end] for s in split_sentences(reference))
        systems = {name: value["sys_summ"] for name, value in record["sys_summs"].items()}
        items.append(Item(record["doc_id"], "", record["src"], sentences, systems))
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
        items.append(Item(record["id"], record["title"], record["article"], summary))
        if len(items) >= wanted:
            break
    return items


def datasets(quick: bool) -> dict[str, list[Item]]:
    limit = QUICK_DOCUMENTS if quick else None
    return {"summeval": summeval(limit), "bbc": bbc(limit)}
