"""The default summarizer: news-aware extractive selection.

Why written by hand: this is the product's edge. Off-the-shelf extractive methods
(sumy's LexRank/TextRank/LSA/Luhn) ignore what makes news different: the inverted
pyramid puts the key facts first, headlines name the event, wire copy repeats itself and
highlights are short. precis scores each sentence by

* a position prior ``1 / (1 + POSITION_DECAY * rank)``, where ``rank`` counts only real
  sentences, so datelines, bylines and captions at the top do not push the lead down;
* centrality: TF-IDF cosine to the rest of the article (degree centrality, computed in
  linear time as the dot product with the summed sentence vectors);
* cosine similarity to the headline;

multiplied by a fragment penalty (very short sentences, byline/"PUBLISHED:" lines, and
lines with no sentence end: a repeated headline, a "Labels:" list, a caption ending in
its credit, a menu; with the default length fragments are never chosen unless the text
has nothing else),
then selects greedily with maximal marginal relevance, so a sentence that repeats one
already chosen (a caption restating the lead, say) is passed over. With the default
length the selection stops at the sentence count whose word total is closest to the
budget's word target (see ``Budget.target_words``): between one sentence and one
more than the nominal count.

Weights are few, named, and were chosen on BBC News Summary plus half of SummEval, then
checked on the other half (bench/bench_summaries.py, docs/benchmarks.md). Everything is
vectorised numpy; a document with more than ``DENSE_CELLS`` term cells uses a scipy
sparse matrix instead, and no step builds the n x n similarity matrix, so a
5,000-sentence article stays fast.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import chain, count
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse

from precis.models import ParsedDocument
from precis.summarize.base import Budget
from precis.summarize.vectors import FloatArray, scale
from precis.text.tokens import content_term, words

POSITION_DECAY = 1.0  # swept 0.35-3 on SummEval half A; 1.0 best, 0.35 and 3 within 0.4 R1
CENTRALITY_WEIGHT = 0.1  # more centrality helps BBC but costs CNN/DM (0.3: -1 R1 there)
TITLE_WEIGHT = 0.3  # SummEval has no titles; on BBC 0.3-1.0 are within 0.5 R1
REDUNDANCY_WEIGHT = 0.6  # MMR penalty per unit of cosine to a chosen sentence (0-1 swept)
SHORT_SENTENCE_WORDS = 6  # fewer non-numeric words: a fragment (byline, dateline, stub)
FRAGMENT_FACTOR = 0.1  # with a set sentence count, fragments fill in only as a last resort
DENSE_CELLS = 2_000_000  # sentence x term cells above which the sparse path is used
_BYLINE = re.compile(
    r"^\s*(?:by\s*\.|by\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s*(?:\.|,|$)|"
    r"(?:guest\s+post|posted|written|words|photos?)\s+by\s+[A-Z]|"
    r"published\s*:|updated\s*:|last updated\b|scroll down for video\b)",
    re.IGNORECASE,
)
# A sentence ending in a colon is a heading or the lead-in to a list ("Supplies for the
# tree:"), which says nothing without what follows.
_LEAD_IN = re.compile(r":\s*$")
# A sentence ends in a full stop, question or exclamation mark (Latin, CJK, Devanagari,
# Arabic and Urdu forms), optionally inside closing quotes or brackets. A line without
# one is a headline, label, caption credit or menu that extraction kept, or a run-on
# that the splitter cut (``MAX_SENTENCE_CHARS``); on real pages these were the junk
# that default summaries picked (docs/benchmarks.md, "Summaries of real web pages").
SENTENCE_STOPS = (".", "!", "?", "…", "。", "！", "？", "।", "॥", "؟", "۔")
# Closing quotes and brackets after the stop, with any spaces between them: tokenized
# text writes "he said . ''" (as SummEval's CNN/Daily Mail articles do).
CLOSERS = "\"”’'»›)] \t\u00a0"

# A dense array for ordinary articles, a scipy sparse matrix (untyped) for huge ones.
Matrix: TypeAlias = Any
BoolArray = npt.NDArray[np.bool_]


class Precis:
    name = "precis"

    def select(self, doc: ParsedDocument, budget: Budget) -> list[int]:
        n = len(doc.sentences)
        if n == 0:
            return []
        text = doc.text
        texts = [text[span.start : span.end] for span in doc.sentences]
        tokens = list(map(words, texts))
        vectors, title = tfidf(tokens, words(doc.title))
        fragment = np.array(list(map(is_fragment, texts, tokens)))
        scores = sentence_scores(vectors, title, fragment)
        if budget.target_words is not None and not fragment.all():
            scores = np.where(fragment, -np.inf, scores)  # default length: no fragments
        return _mmr(scores, vectors, texts, budget)


def is_fragment(sentence: str, tokens: list[str]) -> bool:
    """Too few words with letters (datelines, timestamps, captions), a byline, a
    heading or list lead-in ending in a colon, or a line with no sentence end."""
    if _BYLINE.match(sentence) is not None or _LEAD_IN.search(sentence) is not None:
        return True
    if not sentence.rstrip(CLOSERS).endswith(SENTENCE_STOPS):
        return True
    lettered = 0
    for word in tokens:
        if not word.isdigit():
            lettered += 1
            if lettered >= SHORT_SENTENCE_WORDS:
                return False
    return True


def sentence_scores(vectors: Matrix, title: FloatArray, fragment: BoolArray) -> FloatArray:
    """Position prior + centrality + headline similarity, fragments demoted."""
    rank = np.maximum(np.cumsum(~fragment) - 1, 0)
    position = 1.0 / (1.0 + POSITION_DECAY * rank)
    if isinstance(vectors, np.ndarray):  # the usual case, without _dot's conversions
        centrality = scale(vectors @ np.add.reduce(vectors, axis=0) - 1.0)
        score = position + CENTRALITY_WEIGHT * centrality
        if title.any():  # without headline terms the headline term adds exactly zero
            score = score + TITLE_WEIGHT * (vectors @ title)
        demoted: FloatArray = np.where(fragment, FRAGMENT_FACTOR * score, score)
        return demoted
    total = np.asarray(vectors.sum(axis=0)).ravel()
    centrality = scale(_dot(vectors, total) - 1.0)
    score = position + CENTRALITY_WEIGHT * centrality
    if title.any():  # without headline terms the headline term adds exactly zero
        score = score + TITLE_WEIGHT * _dot(vectors, title)
    return np.asarray(np.where(fragment, FRAGMENT_FACTOR * score, score), dtype=np.float64)


def tfidf(tokens: list[list[str]], title: list[str]) -> tuple[Matrix, FloatArray]:
    """L2-normalised TF-IDF rows of the content terms (``content_term``) of the sentences'
    word tokens, and the headline's vector, with IDF over the document's sentences;
    dense numpy when small, scipy sparse when large."""
    # Column ids in first-occurrence order, assigned in C: a missing term gets the next
    # number from the counter. Column 0 is "", what stop words and single characters map
    # to; it is dropped, which leaves the terms' columns in the same order as building
    # per-sentence term lists first would (and skips those lists).
    vocab: defaultdict[str, int] = defaultdict(count(1).__next__, {"": 0})
    every = [*tokens, title]
    ids = map(vocab.__getitem__, map(content_term, chain.from_iterable(every)))
    c = np.array(list(ids), dtype=np.int64)
    n, width = len(tokens), max(2, len(vocab))  # width - 1 term columns, at least one
    if (n + 1) * (width - 1) <= DENSE_CELLS:
        # Each token's cell: its row's first cell plus its column.
        row_starts = np.repeat(np.arange(0, (n + 1) * width, width), list(map(len, every)))
        cells = np.bincount(row_starts + c, minlength=(n + 1) * width)
        counts = cells.reshape(n + 1, width)[:, 1:]
        idf = _idf(np.add.reduce(counts[:n] != 0, axis=0), n)
        weighted = counts * idf
        # What np.linalg.norm(weighted, axis=1) computes, without its argument checks.
        norms = np.sqrt(np.add.reduce(weighted * weighted, axis=1))
        norms[norms == 0] = 1.0
        dense = weighted / norms[:, None]
        return dense[:n], dense[n]
    r = np.repeat(np.arange(len(every)), list(map(len, every)))
    keep = c != 0
    r, c = r[keep], c[keep] - 1
    tf = sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(n + 1, width - 1))
    tf.sum_duplicates()
    tf = sparse.csr_matrix(tf.multiply(_idf(np.bincount(tf[:n].indices, minlength=width - 1), n)))
    norms = np.sqrt(np.asarray(tf.multiply(tf).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    normalised = sparse.csr_matrix(sparse.diags(1.0 / norms) @ tf)
    return normalised[:n], normalised[n].toarray().ravel()


def _idf(doc_freq: npt.NDArray[np.int64], n: int) -> FloatArray:
    return np.asarray(np.log((1.0 + n) / (1.0 + doc_freq)) + 1.0, dtype=np.float64)


def _dot(vectors: Matrix, vector: FloatArray) -> FloatArray:
    return np.asarray(vectors @ vector, dtype=np.float64).ravel()


def _row(vectors: Matrix, index: int) -> FloatArray:
    if isinstance(vectors, np.ndarray):
        return np.asarray(vectors[index], dtype=np.float64)
    return np.asarray(vectors[index].toarray(), dtype=np.float64).ravel()


def _mmr(scores: FloatArray, vectors: Matrix, texts: list[str], budget: Budget) -> list[int]:
    """Greedy maximal marginal relevance within the budget. A sentence's length (its
    whitespace-separated words) is counted only when it is a candidate. A sentence
    whose text is one already chosen is passed over (MMR's penalty alone lets a
    repeated lead back in ahead of weaker sentences); only an explicit sentence count
    that nothing else can fill takes repeats."""
    n = len(scores)
    limit = budget.sentences
    if limit is not None and budget.target_words is not None:
        limit += 1  # the word target chooses between ``sentences`` and one more
    chosen: list[int] = []
    said: set[str] = set()
    repeats: list[int] = []
    used = 0
    penalty = np.zeros(n)
    # Chosen and skipped sentences score -inf: the same gains as masking them each round
    # (-inf minus a finite penalty stays -inf), with fewer numpy calls per round.
    remaining = np.array(scores, dtype=np.float64)
    dense = isinstance(vectors, np.ndarray)
    for _ in range(n):
        if limit is not None and len(chosen) >= limit:
            break
        if budget.words is not None and chosen and used >= budget.words:
            break
        gains = remaining - REDUNDANCY_WEIGHT * penalty
        best = int(gains.argmax())
        if gains[best] == -np.inf:
            break
        remaining[best] = -np.inf
        if texts[best] in said:
            repeats.append(best)  # the same words again (a standfirst shown twice)
            continue
        size = len(texts[best].split())
        if chosen and budget.words is not None and used + size > budget.words:
            continue  # too long for the word allowance: try a shorter one
        if chosen and budget.target_words is not None:
            target = budget.target_words
            if abs(used + size - target) > abs(used - target):
                break  # one more sentence would move the length away from the target
        chosen.append(best)
        said.add(texts[best])
        used += size
        similarity = vectors @ vectors[best] if dense else _dot(vectors, _row(vectors, best))
        np.maximum(penalty, similarity, out=penalty)
    if budget.target_words is None and budget.sentences is not None:
        chosen += repeats[: budget.sentences - len(chosen)]  # a count asked for is met
    return chosen
