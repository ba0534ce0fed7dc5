"""Local scaling of pair scores by how crowded each article's neighbourhood is.

One absolute threshold cannot fit every part of a news stream. A story told by an
opinion piece and two short reports gives its articles few neighbours, and weak ones,
while a week of one politician's news gives every article many close neighbours from
other stories. Before average linkage, each pair score is therefore rescaled by the two
articles' densities (local scaling, after Zelnik-Manor and Perona, "Self-tuning
spectral clustering", NIPS 2004)::

    scaled(a, b) = score(a, b) * mean / sqrt(d(a) * d(b))

where ``d(x)`` is the ``RANK``-th best pair score of ``x`` (0 with fewer partners),
floored at ``FLOOR`` times the mean density, and ``mean`` is the mean density of the
articles: a pair of sparse articles counts for up to 1 / ``FLOOR`` times its score, a
pair in a crowded region for less. A pair is never lowered when the two are among each
other's ``RANK`` best partners: the articles of a story that many outlets tell are dense
with their own story-mates, and lowering those pairs split such stories (measured on the
bundled samples, docs/benchmarks.md). While the mean density is below ``MIN_MEAN`` (a
store of a few unrelated articles) scores are left as they are.

Hand-written because the scaling has to be maintained incrementally in the store: each
stored article keeps its ``RANK`` best partners, and the store keeps the sum and count
of densities (``precis.store.storyregroup``), so an assignment scales its region as a
batch run over all the articles would (up to the stale weights a batch would not have).
Chosen on training data only (docs/benchmarks.md, "Local scaling").
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping

# An article's density is its RANK-th best pair score. Swept 3-5 on the training data
# (NeuS train chunks, ECB+ train topics): a plateau; 4 is its middle.
RANK = 4
# Densities are floored at this share of the mean, so that no pair score is more than
# doubled (0.4-0.6 form a plateau on the training data).
FLOOR = 0.5
# Below this mean density (a few unrelated articles, each with fewer than RANK partners)
# the scores are left unscaled: the NeuS and ECB+ training pools' densities are mostly
# 0.2-0.5, and 0.05 instead of 0.1 changed nothing on them (raise-only first version).
MIN_MEAN = 0.1


def density(scores: Iterable[float]) -> float:
    """The ``RANK``-th best of an article's pair scores (0 with fewer)."""
    best = heapq.nlargest(RANK, scores)
    return best[-1] if len(best) == RANK else 0.0


def top_partners(scores: Mapping[str, float]) -> dict[str, float]:
    """The ``RANK`` best partners (ties broken by id), which is what a store keeps of an
    article's pair scores to know its density as more articles arrive."""
    best = heapq.nsmallest(RANK, scores.items(), key=lambda item: (-item[1], item[0]))
    return {other: round(score, 6) for other, score in best}


def mean_density(densities: Iterable[float]) -> float:
    values = list(densities)
    return math.fsum(values) / len(values) if values else 0.0


def scale(
    edges: Mapping[str, Mapping[str, float]],
    partners: Mapping[str, Mapping[str, float]],
    mean: float,
) -> dict[str, dict[str, float]]:
    """The pair-score graph rescaled (see the module docstring). ``partners``: each
    node's ``top_partners``, where known; a node without (a stored article filed before
    the store kept partners) counts as having the mean density."""
    if mean < MIN_MEAN:
        return {a: dict(row) for a, row in edges.items()}
    floor = FLOOR * mean

    def spread(node: str) -> float:
        top = partners.get(node)
        return mean if top is None else max(density(top.values()), floor)

    root = {node: math.sqrt(spread(node)) for node in edges}
    none: Mapping[str, float] = {}
    scaled: dict[str, dict[str, float]] = {}
    for a, row in edges.items():
        near = partners.get(a, none)
        out = scaled[a] = {}
        for b, score in row.items():
            factor = mean / (root[a] * root[b])
            if factor < 1.0 and (b in near or a in partners.get(b, none)):
                factor = 1.0
            out[b] = score * factor
    return scaled
