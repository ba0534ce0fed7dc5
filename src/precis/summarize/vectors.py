"""Sentence vectors and graph centrality shared by the graph-based summarizers.

Written with numpy/scipy rather than taken from sumy: sumy's pure-Python matrices are
the reason it is slow, and the summarizer is the product's edge (see summarize/precis.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from precis.models import ParsedDocument
from precis.text.tokens import content_terms

FloatArray = npt.NDArray[np.float64]
# Above this many sentences the full n x n similarity matrix is not built; centrality is
# then the (linear-time) similarity to the document centroid.
DENSE_GRAPH_LIMIT = 800
DAMPING = 0.85
PAGERANK_TOLERANCE = 1e-6
PAGERANK_MAX_ITERATIONS = 100


def sentence_terms(doc: ParsedDocument) -> list[list[str]]:
    return [content_terms(doc.sentence_text(i)) for i in range(len(doc.sentences))]


def term_matrix(
    terms: Sequence[Sequence[str]], extra: Sequence[Sequence[str]] = ()
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """TF-IDF rows (L2-normalised) for ``terms`` and for ``extra`` texts (title, say),
    with IDF computed over the sentences of the document."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for row, sentence in enumerate([*terms, *extra]):
        counts: dict[int, int] = {}
        for term in sentence:
            column = vocab.setdefault(term, len(vocab))
            counts[column] = counts.get(column, 0) + 1
        for column, count in counts.items():
            rows.append(row)
            cols.append(column)
            vals.append(float(count))
    shape = (len(terms) + len(extra), max(1, len(vocab)))
    tf = sparse.csr_matrix((vals, (rows, cols)), shape=shape)
    doc_freq = np.bincount(tf[: len(terms)].indices, minlength=shape[1]).astype(np.float64)
    idf = np.log((1.0 + len(terms)) / (1.0 + doc_freq)) + 1.0
    weighted = tf.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    normalised = sparse.csr_matrix(sparse.diags(1.0 / norms) @ weighted)
    return normalised[: len(terms)], normalised[len(terms) :]


def cosine_matrix(vectors: sparse.csr_matrix) -> FloatArray:
    sims = np.asarray((vectors @ vectors.T).todense(), dtype=np.float64)
    np.fill_diagonal(sims, 0.0)
    return sims


def pagerank(weights: FloatArray) -> FloatArray:
    """Stationary distribution of the damped random walk on a weighted graph."""
    n = weights.shape[0]
    if n == 0:
        return np.zeros(0)
    out = weights.sum(axis=1)
    dangling = out == 0
    transition = np.divide(
        weights, out[:, None], out=np.zeros_like(weights), where=~dangling[:, None]
    )
    rank = np.full(n, 1.0 / n)
    for _ in range(PAGERANK_MAX_ITERATIONS):
        spread = rank @ transition + rank[dangling].sum() / n
        updated = (1 - DAMPING) / n + DAMPING * spread
        if np.abs(updated - rank).sum() < PAGERANK_TOLERANCE:
            return np.asarray(updated)
        rank = updated
    return rank


def centroid_similarity(vectors: sparse.csr_matrix) -> FloatArray:
    """Cosine of each row with the mean row: degree centrality in linear time."""
    centroid = np.asarray(vectors.sum(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return np.zeros(vectors.shape[0])
    return np.asarray(vectors @ (centroid / norm)).ravel()


def scale(values: FloatArray) -> FloatArray:
    """Min-max scale to [0, 1]; constant input scales to zeros."""
    if values.size == 0:
        return values
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-12:
        return np.zeros_like(values)
    return (values - low) / (high - low)
