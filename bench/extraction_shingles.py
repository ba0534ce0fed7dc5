"""The shingle metric the article-extraction-benchmark and Dragnet sections share, and
their table: tokens are ``\\w+`` matches, shingles are the multiset of token 4-grams; per
item precision/recall from the multiset overlap, averaged over items; F1 from the two
means; accuracy is the share of items whose token list equals the truth exactly (the
article-extraction-benchmark README and its evaluate.py).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SHINGLE = 4  # the benchmark's n-gram size
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def shingles(words: list[str]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def item_scores(predicted: str, truth: str) -> tuple[float | None, float | None, bool]:
    """(precision or None when undefined, recall or None, exact token match)."""
    pred_tokens, true_tokens = tokens(predicted), tokens(truth)
    pred, true = shingles(pred_tokens), shingles(true_tokens)
    tp = sum((pred & true).values())
    fp = sum(pred.values()) - tp
    fn = sum(true.values()) - tp
    if fp == fn == 0:
        return 1.0, 1.0, pred_tokens == true_tokens
    # An item enters the precision mean only when something was predicted, and the
    # recall mean only when there is something to find (as in the benchmark's README).
    precision = tp / (tp + fp) if tp + fp > 0 else None
    recall = tp / (tp + fn) if tp + fn > 0 else None
    return precision, recall, pred_tokens == true_tokens


def evaluate(predictions: Mapping[str, str], truth: Mapping[str, str]) -> dict[str, float]:
    precisions, recalls, exact = [], [], 0
    for item, true_text in truth.items():
        p, r, same = item_scores(predictions.get(item, ""), true_text)
        if p is not None:
            precisions.append(p)
        if r is not None:
            recalls.append(r)
        exact += same
    # A tool that predicts nothing on any page has no precision to average: count it 0.
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "f1": round(f1, 3),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "accuracy": round(exact / len(truth), 3),
    }


def load_json_gz(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def row(
    produced: Mapping[str, str], truth: Mapping[str, str], seconds: float | None, **counts: int
) -> dict[str, Any]:
    """A tool's scores, page count, refused/failed count, empty outputs and seconds."""
    empty = sum(1 for item in truth if not produced.get(item, "").strip())
    out: dict[str, Any] = {**evaluate(produced, truth), "pages": len(truth), **counts}
    out["empty"] = empty
    if seconds is not None:
        out["seconds"] = round(seconds, 1)
    return out


def print_table(ranked: Mapping[str, Mapping[str, Any]]) -> None:
    print(
        f"{'tool':<44} {'F1':>6} {'P':>6} {'R':>6} {'acc':>6} {'pages':>6} {'refused/failed':>15}"
    )
    for name, scores in ranked.items():
        refused = scores.get("refused", scores.get("failed", ""))
        pages = scores.get("pages", "")
        print(
            f"{name:<44} {scores['f1']:>6.3f} {scores['precision']:>6.3f} "
            f"{scores['recall']:>6.3f} {scores['accuracy']:>6.3f} {pages:>6} {refused:>15}",
            flush=True,
        )
