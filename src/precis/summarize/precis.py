"""The default summarizer: news-aware extractive selection.

Why written by hand: this is the product's edge. Off-the-shelf extractive methods
(sumy's LexRank/TextRank/LSA/Luhn) ignore what makes news different: the inverted
pyramid puts the key facts first, headlines name the event, and rewritten wire copy is
redundant. precis combines, per sentence,

* a position prior (news leads carry the facts), decaying with sentence and paragraph rank;
* centrality: similarity to the rest of the article (LexRank-style, continuous weights);
* similarity to the headline and to the opening sentence;
* a length prior that demotes fragments (datelines, bylines, captions) and run-ons;

then selects greedily with maximal marginal relevance, so a second sentence that repeats
the first is passed over. Weights are named constants tuned on the shared training data
(see bench/ and docs/benchmarks.md) and fixed for all inputs.
"""

from __future__ import annotations

import numpy as np

from precis.models import ParsedDocument
from precis.summarize.base import Budget
from precis.summarize.vectors import (
    DENSE_GRAPH_LIMIT,
    FloatArray,
    centroid_similarity,
    cosine_matrix,
    pagerank,
    scale,
    sentence_terms,
    term_matrix,
)

POSITION_WEIGHT = 1.0
CENTRALITY_WEIGHT = 0.35
TITLE_WEIGHT = 0.3
LEAD_WEIGHT = 0.15
POSITION_DECAY = 0.35  # weight of sentence i is 1 / (1 + decay * i)
SHORT_SENTENCE_WORDS = 6  # fragments this short are mostly bylines and captions
LONG_SENTENCE_WORDS = 60
REDUNDANCY_WEIGHT = 0.6  # MMR: penalty per unit of cosine to an already chosen sentence


class Precis:
    name = "precis"

    def select(self, doc: ParsedDocument, budget: Budget) -> list[int]:
        n = len(doc.sentences)
        if n == 0:
            return []
        terms = sentence_terms(doc)
        title_terms = [t for t in sentence_terms_of(doc.title)]
        vectors, extra = term_matrix(terms, [title_terms])
        lengths = np.array([len(doc.sentence_text(i).split()) for i in range(n)], dtype=float)
        scores = self.scores(doc, vectors, extra, lengths)
        sims = cosine_matrix(vectors) if n <= DENSE_GRAPH_LIMIT else None
        return _mmr(scores, sims, vectors, lengths, budget)

    def scores(
        self, doc: ParsedDocument, vectors: object, title: object, lengths: FloatArray
    ) -> FloatArray:
        from scipy import sparse

        vec = sparse.csr_matrix(vectors)
        n = vec.shape[0]
        position = 1.0 / (1.0 + POSITION_DECAY * np.arange(n))
        if n <= DENSE_GRAPH_LIMIT:
            centrality = scale(pagerank(cosine_matrix(vec)))
        else:
            centrality = scale(centroid_similarity(vec))
        title_vec = sparse.csr_matrix(title)
        title_sim = (
            np.asarray((vec @ title_vec.T).todense()).ravel() if title_vec.nnz else np.zeros(n)
        )
        lead_sim = np.asarray((vec @ vec[0].T).todense()).ravel()
        lead_sim[0] = 0.0
        score = (
            POSITION_WEIGHT * position
            + CENTRALITY_WEIGHT * centrality
            + TITLE_WEIGHT * title_sim
            + LEAD_WEIGHT * lead_sim
        )
        score = score * _length_prior(lengths)
        return np.asarray(score, dtype=np.float64)


def sentence_terms_of(text: str) -> list[str]:
    from precis.text.tokens import content_terms

    return content_terms(text)


def _length_prior(lengths: FloatArray) -> FloatArray:
    prior = np.ones_like(lengths)
    short = lengths < SHORT_SENTENCE_WORDS
    prior[short] = (lengths[short] / SHORT_SENTENCE_WORDS) ** 2
    long = lengths > LONG_SENTENCE_WORDS
    prior[long] = LONG_SENTENCE_WORDS / lengths[long]
    return prior


def _mmr(
    scores: FloatArray,
    sims: FloatArray | None,
    vectors: object,
    lengths: FloatArray,
    budget: Budget,
) -> list[int]:
    from scipy import sparse

    vec = sparse.csr_matrix(vectors)
    n = len(scores)
    chosen: list[int] = []
    used = 0.0
    penalty = np.zeros(n)
    available = np.ones(n, dtype=bool)
    while available.any() and not budget.full(len(chosen), int(used)):
        gains = np.where(available, scores - REDUNDANCY_WEIGHT * penalty, -np.inf)
        best = int(np.argmax(gains))
        available[best] = False
        if not budget.admits(len(chosen), int(used), int(lengths[best])):
            continue
        chosen.append(best)
        used += lengths[best]
        row = sims[best] if sims is not None else np.asarray((vec @ vec[best].T).todense()).ravel()
        penalty = np.maximum(penalty, row)
    return chosen
