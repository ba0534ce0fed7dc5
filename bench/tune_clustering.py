"""Threshold sweep for story clustering on TRAINING data only (not run by ``bench.run``).

``PYTHONPATH=src python -m bench.tune_clustering 0.25,0.26,0.27 [NAME=value ...]`` scores
each average linkage threshold by precis's B-cubed F1 on the NeuS train split cut into
eight consecutive chunks of about 918 articles (the size of the val pool; the whole
7,356-article pool is far more confusable than any val or test pool) and on the ECB+
train topics, optionally with numeric constants of ``precis.cluster.assign`` (or, prefixed
``density.``, of ``precis.cluster.density``) overridden (``MAX_CANDIDATES=50``,
``density.FLOOR=0.6``; ``density.MIN_MEAN=9`` turns the local scaling off), or one
pair-score weight (``KIND_WEIGHTS.e=0.3``). The default threshold is the middle of the plateau of the best
means of the two.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from bench.bench_clustering import ECB_TRAIN_TOPICS, bcubed, ecb, neus
from precis.cluster import cluster
from precis.cluster.assign import Params

CHUNKS = 8


Pools = tuple[list[tuple[list[Any], list[str]]], tuple[list[Any], list[str]]]


def training_pools() -> Pools:
    """The NeuS train split in ``CHUNKS`` chunks (whole stories) and the ECB+ train topics,
    each as (articles, gold stories)."""
    docs, gold = neus("train")
    size = len(docs) // CHUNKS // 3 * 3  # whole stories of three articles
    chunks = [
        (docs[i * size : (i + 1) * size], gold[i * size : (i + 1) * size]) for i in range(CHUNKS)
    ]
    return chunks, ecb(lambda t: t in ECB_TRAIN_TOPICS)


def evaluate(pools: Pools, params: Params) -> tuple[list[float], float]:
    """B-cubed F1 of ``cluster`` on each NeuS chunk, and on the ECB+ train topics."""
    chunks, (ecb_docs, ecb_gold) = pools
    neus_f1 = [bcubed([a.story for a in cluster(d, params)], g)["b3_f1"] for d, g in chunks]
    return neus_f1, bcubed([a.story for a in cluster(ecb_docs, params)], ecb_gold)["b3_f1"]


def main(argv: list[str]) -> int:
    from precis.cluster import assign, density

    pools = training_pools()
    size = len(pools[0][0][0])
    modules = {"assign": assign, "density": density}
    for override in argv[1:]:  # [density.]NAME=value: a numeric module constant
        name, value = override.split("=")
        if name.startswith("KIND_WEIGHTS."):  # one pair-score weight: KIND_WEIGHTS.e=0.3
            kind = name.removeprefix("KIND_WEIGHTS.")
            if kind not in assign.KIND_WEIGHTS:
                raise SystemExit(f"no such key kind: {kind} (one of {sorted(assign.KIND_WEIGHTS)})")
            assign.KIND_WEIGHTS = {**assign.KIND_WEIGHTS, kind: float(value)}
            print(f"KIND_WEIGHTS = {assign.KIND_WEIGHTS}", flush=True)
            continue
        owner, _, constant = name.rpartition(".")
        module = modules.get(owner or "assign")
        if module is None or not isinstance(getattr(module, constant, None), int | float):
            raise SystemExit(f"not a numeric constant of precis.cluster.assign or .density: {name}")
        setattr(module, constant, type(getattr(module, constant))(float(value)))
        print(f"{name} = {getattr(module, constant)}", flush=True)
    for pair in argv[0].split(","):
        threshold = float(pair)
        params = Params(threshold=threshold)
        start = time.perf_counter()
        neus_f1, ecb_f1 = evaluate(pools, params)
        mean = sum(neus_f1) / len(neus_f1)
        print(
            f"{pair}: NeuS train chunks ({size}) mean F1 {mean:.4f} "
            f"[{min(neus_f1):.3f}-{max(neus_f1):.3f}] | ECB+ train F1 {ecb_f1:.4f} | "
            f"mean {(mean + ecb_f1) / 2:.4f} ({time.perf_counter() - start:.0f}s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
