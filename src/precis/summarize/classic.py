"""Reference methods users know: Lead-N, TextRank (Mihalcea & Tarau 2004) and LexRank
(Erkan & Radev 2004). Implemented here on numpy so they share precis's sentence
splitting and run at its speed; sumy's versions are the peers in bench/."""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

from precis.models import ParsedDocument
from precis.summarize.base import Budget, select_by_score
from precis.summarize.vectors import (
    DENSE_GRAPH_LIMIT,
    centroid_similarity,
    cosine_matrix,
    pagerank,
    sentence_terms,
    term_matrix,
)

LEXRANK_THRESHOLD = 0.1  # Erkan & Radev's best threshold for the unweighted graph


class Lead:
    """The first sentences, in order: the classic news baseline."""

    name = "lead"

    def select(self, doc: ParsedDocument, budget: Budget) -> list[int]:
        scores = [-float(i) for i in range(len(doc.sentences))]
        return select_by_score(doc, scores, budget)


class TextRank:
    """PageRank over sentences linked by normalised word overlap."""

    name = "textrank"

    def select(self, doc: ParsedDocument, budget: Budget) -> list[int]:
        terms = sentence_terms(doc)
        if len(terms) > DENSE_GRAPH_LIMIT:
            vectors, _ = term_matrix(terms)
            return select_by_score(doc, list(centroid_similarity(vectors)), budget)
        sets = [set(t) for t in terms]
        n = len(sets)
        weights = np.zeros((n, n))
        logs = [math.log(len(s)) if len(s) > 1 else 0.0 for s in sets]
        for i in range(n):
            for j in range(i + 1, n):
                denominator = logs[i] + logs[j]
                if denominator > 0:
                    weights[i, j] = weights[j, i] = len(sets[i] & sets[j]) / denominator
        return select_by_score(doc, list(pagerank(weights)), budget)


class LexRank:
    """PageRank over sentences linked when their TF-IDF cosine passes a threshold."""

    name = "lexrank"

    def select(self, doc: ParsedDocument, budget: Budget) -> list[int]:
        vectors, _ = term_matrix(sentence_terms(doc))
        if vectors.shape[0] > DENSE_GRAPH_LIMIT:
            return select_by_score(doc, list(centroid_similarity(vectors)), budget)
        sims = cosine_matrix(sparse.csr_matrix(vectors))
        graph = (sims > LEXRANK_THRESHOLD).astype(np.float64)
        return select_by_score(doc, list(pagerank(graph)), budget)
