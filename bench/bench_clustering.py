"""Story clustering quality: precis vs MinHash-LSH components vs TF-IDF average linkage.

Data (../shared/data): NeuS/AllSides roundups (pool every article of a split; gold =
story) and ECB+ (every document; gold = sub-topic). precis runs with its fixed defaults,
which were chosen on the NeuS train split and the ECB+ train topics; the report gives
those training figures, NeuS val and every further held-out NeuS split the file holds
(the kept-back test split once it is added; ``bench.neus.heldout_splits``), and ECB+ as
a whole and on its dev+test topics only.
The TF-IDF peer is given its best threshold *per data set* (an oracle advantage); the
MinHash-LSH peer its best LSH threshold per data set.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import neus as neus_data
from bench.common import peak_memory_mb, shared, timer, write_result
from precis.cluster import ArticleInput, cluster

ECB_TRAIN_TOPICS = {1, 3, 4, 6, 7, 8, 9, 10, 11, 13, 14, 16, 19, 20, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33}  # fmt: skip
TFIDF_THRESHOLDS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]
LSH_THRESHOLDS = [0.1, 0.2, 0.3, 0.5]

Labelled = tuple[list[ArticleInput], list[str]]


def neus(split: str, limit: int | None = None, file: Path | None = None) -> Labelled:
    """Every article of a NeuS split (the first stories up to ``limit`` articles);
    gold = story id."""
    docs, gold = [], []
    for record in neus_data.records(file):
        if record["split"] != split:
            continue
        for i, article in enumerate(record["articles"]):
            docs.append(ArticleInput(f"{record['id']}/{i}", article["text"], article["title"]))
            gold.append(record["id"])
        if limit is not None and len(docs) >= limit:
            break
    return docs, gold


def ecb(keep: Callable[[int], bool]) -> Labelled:
    docs, gold = [], []
    with gzip.open(shared("ecb-plus", "ecbplus_docs.jsonl.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if not keep(record["topic"]):
                continue
            sentences = record["sentences"] or [""]
            # ECB+ has no headlines: the first sentence stands in for one.
            docs.append(ArticleInput(record["doc_id"], "\n".join(sentences[1:]), sentences[0]))
            gold.append(record["subtopic"])
    return docs, gold


def bcubed(pred: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    by_pred: dict[str, set[int]] = defaultdict(set)
    by_gold: dict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].add(i)
        by_gold[g].add(i)
    precision = recall = 0.0
    for p, g in zip(pred, gold, strict=True):
        shared_ = len(by_pred[p] & by_gold[g])
        precision += shared_ / len(by_pred[p])
        recall += shared_ / len(by_gold[g])
    precision, recall = precision / len(pred), recall / len(pred)
    from sklearn.metrics import adjusted_rand_score

    return {
        "b3_precision": round(precision, 4),
        "b3_recall": round(recall, 4),
        "b3_f1": round(2 * precision * recall / (precision + recall), 4),
        "ari": round(float(adjusted_rand_score(gold, pred)), 4),
        "clusters": len(by_pred),
    }


def precis_labels(docs: list[ArticleInput]) -> list[str]:
    return [a.story for a in cluster(docs)]


def tfidf_labels(docs: list[ArticleInput], threshold: float) -> list[str]:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [d.title + "\n" + d.text for d in docs]
    )
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=1 - threshold
    )
    return [str(label) for label in model.fit_predict(matrix.toarray())]


def minhash_labels(docs: list[ArticleInput], threshold: float) -> list[str]:
    from datasketch import MinHash, MinHashLSH

    from precis.text.tokens import words

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    signatures = []
    for i, doc in enumerate(docs):
        tokens = words(doc.title + " " + doc.text)
        grams = {" ".join(tokens[j : j + 3]) for j in range(max(1, len(tokens) - 2))}
        signature = MinHash(num_perm=128)
        signature.update_batch([g.encode("utf-8") for g in grams])
        lsh.insert(str(i), signature)
        signatures.append(signature)
    parent = list(range(len(docs)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, signature in enumerate(signatures):
        for other in lsh.query(signature):
            parent[root(int(other))] = root(i)
    return [str(root(i)) for i in range(len(docs))]


def best_of(
    docs: list[ArticleInput],
    gold: list[str],
    method: Callable[[list[ArticleInput], float], list[str]],
    thresholds: list[float],
) -> dict[str, Any]:
    runs = [(t, bcubed(method(docs, t), gold)) for t in thresholds]
    threshold, scores = max(runs, key=lambda run: run[1]["b3_f1"])
    return {**scores, "threshold": threshold}


def evaluate(name: str, docs: list[ArticleInput], gold: list[str]) -> dict[str, Any]:
    with timer() as clock:
        ours = bcubed(precis_labels(docs), gold)
    row = {
        "articles": len(docs),
        "stories": len(set(gold)),
        "precis": {**ours, "seconds": round(clock["seconds"], 2)},
        "tfidf_avg_link_best": best_of(docs, gold, tfidf_labels, TFIDF_THRESHOLDS),
        "minhash_lsh_cc_best": best_of(docs, gold, minhash_labels, LSH_THRESHOLDS),
    }
    line = "  ".join(
        f"{m}: F1 {row[m]['b3_f1']:.3f} P {row[m]['b3_precision']:.3f} "
        f"R {row[m]['b3_recall']:.3f} ARI {row[m]['ari']:.3f}"
        for m in ("precis", "tfidf_avg_link_best", "minhash_lsh_cc_best")
    )
    print(f"{name} ({len(docs)} docs, {row['stories']} stories): {line}", flush=True)
    return row


def run(args: argparse.Namespace) -> int:
    limit = 900 if args.quick else None
    sets: dict[str, Labelled] = {
        "neus_train_first_921 (training)": neus("train", 921),
        # val, and every further held-out split the file holds (test, once added)
        **{f"neus_{split}": neus(split, limit) for split in neus_data.heldout_splits()},
        "ecb_plus_train_topics (training)": ecb(lambda t: t in ECB_TRAIN_TOPICS),
        "ecb_plus_dev_test_topics": ecb(lambda t: t not in ECB_TRAIN_TOPICS),
        "ecb_plus_all": ecb(lambda t: True),
    }
    results = {name: evaluate(name, docs, gold) for name, (docs, gold) in sets.items()}
    write_result("clustering", {"results": results, "peak_memory_mb": round(peak_memory_mb())})
    return 0
