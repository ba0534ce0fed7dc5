"""HTML extraction quality: ScrapingHub's article-extraction-benchmark, 4-gram shingle F1.

precis runs through exactly the path ``precis add`` takes (read the ``.html.gz`` file,
decode, ``precis.extract`` on an HTML ``RawDocument``: trafilatura plus the boilerplate
rules and the title-line drop). Beside it, in the same run: plain trafilatura with its
defaults, computed live, and the stored outputs of the 18 tools in the data set.

Metric (the data set's README and the repo's evaluate.py): tokens are ``\\w+`` matches,
shingles are the multiset of token 4-grams; per item precision/recall from the multiset
overlap, averaged over items; F1 from the two means; accuracy is the share of items
whose token list equals the truth exactly.

    python -m bench.run extraction
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bench.common import shared, timer, write_result

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
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "f1": round(f1, 3),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "accuracy": round(exact / len(truth), 3),
    }


def _load_json_gz(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def stored_outputs(root: Path) -> dict[str, dict[str, str]]:
    tools = {}
    for path in sorted((root / "output").glob("*.json.gz")):
        data = _load_json_gz(path)
        items = data.get("output", data) if "version" in data else data
        tools[path.name.removesuffix(".json.gz")] = {
            key: (value or {}).get("articleBody") or "" for key, value in items.items()
        }
    return tools


def precis_outputs(root: Path, ids: list[str]) -> tuple[dict[str, str], int]:
    """precis's extraction on each page, through the ``precis add`` input path."""
    from precis.config import Settings
    from precis.errors import InputError
    from precis.pipeline import extract_inputs

    settings = Settings.load({}, database_url="sqlite://")
    out, refused = {}, 0
    for item in ids:
        (result,) = extract_inputs([str(root / "html" / f"{item}.html.gz")], settings)
        if isinstance(result, InputError):
            refused += 1
            out[item] = ""
        else:
            out[item] = result.text
    return out, refused


def trafilatura_outputs(root: Path, ids: list[str]) -> dict[str, str]:
    """Plain ``trafilatura.extract`` with its defaults, as a user would call it."""
    import trafilatura

    out = {}
    for item in ids:
        with gzip.open(root / "html" / f"{item}.html.gz", "rt", encoding="utf-8") as handle:
            out[item] = trafilatura.extract(handle.read()) or ""
    return out


def run(args: argparse.Namespace) -> int:
    root = shared("article-extraction-benchmark")
    truth = {k: v["articleBody"] for k, v in _load_json_gz(root / "ground-truth.json.gz").items()}
    ids = sorted(truth)
    if getattr(args, "quick", False):
        ids = ids[:30]
        truth = {k: truth[k] for k in ids}
    rows: dict[str, dict[str, Any]] = {}
    timed: dict[str, Callable[[], dict[str, str]]] = {
        "trafilatura (live, defaults)": lambda: trafilatura_outputs(root, ids),
    }
    with timer() as elapsed:
        precis_out, refused = precis_outputs(root, ids)
    rows["precis (precis add path)"] = {
        **evaluate(precis_out, truth),
        "seconds": round(elapsed["seconds"], 1),
        "refused": refused,
    }
    for name, produce in timed.items():
        with timer() as elapsed:
            produced = produce()
        rows[name] = {**evaluate(produced, truth), "seconds": round(elapsed["seconds"], 1)}
    for tool, outputs in stored_outputs(root).items():
        rows[f"{tool} (stored)"] = evaluate(outputs, truth)
    ranked = dict(sorted(rows.items(), key=lambda kv: -kv[1]["f1"]))
    print(f"{'tool':<34} {'F1':>6} {'P':>6} {'R':>6} {'acc':>6}")
    for name, row in ranked.items():
        print(
            f"{name:<34} {row['f1']:>6.3f} {row['precision']:>6.3f} "
            f"{row['recall']:>6.3f} {row['accuracy']:>6.3f}"
        )
    path = write_result("extraction", {"items": len(ids), "results": ranked})
    print(f"wrote {path}")
    return 0
