"""Dev harness for the fifth tuning pass: sentence cues tried on top of precis's summarizer
(not a benchmark; ``bench.run`` skips it). None was adopted, so they live here, not in
``precis.summarize.precis``, and the product's summaries are unchanged.

``PYTHONPATH=src:. python -m bench.summary_cues [NAME=VALUE ...]`` runs
``bench.tune_summaries`` (same sets, same printout) with ``Precis.select`` replaced by
the variant below; ``NAME`` is one of this module's constants (all off by default, which
reproduces the default summaries exactly) or anything ``bench.tune_summaries`` accepts:

* ``OPENER_FACTOR``: score multiplier for a sentence opening with a pronoun, determiner
  or connective that needs the previous sentence ("He", "This", "But", "However"...);
  ``OPENER_KIND`` 1 or 2 restricts it to pronouns/determiners or connectives;
  ``OPENER_WAIVE`` 1 waives it right after the first real sentence, 2 restores the
  sentence's plain score once the sentence before it is chosen.
* ``QUOTE_FACTOR``: multiplier for a direct quote of at least ``QUOTE_MIN_WORDS`` words
  (opening with a quotation mark: ````, ", ‘, “ or ' glued to a word, not 's/'re...);
  ``QUOTE_TAIL`` 1 also counts a sentence with a closing quote and its attribution
  ("..., ' said Bolt .").
* ``LEAD_POSITION``: the position prior of the first real sentence (1 on the curve).
* ``MIN_GAIN``: with the default length, stop once ``MIN_GAIN_AFTER`` sentences are
  chosen and the best remaining MMR gain is below it.
"""

from __future__ import annotations

import re
import sys

import numpy as np

from bench import tune_summaries
from precis.models import ParsedDocument
from precis.summarize import precis as p
from precis.summarize.base import Budget
from precis.summarize.vectors import FloatArray
from precis.text.tokens import words

OPENER_FACTOR = 1.0
OPENER_KIND = 0
OPENER_WAIVE = 0
QUOTE_FACTOR = 1.0
QUOTE_MIN_WORDS = 12
QUOTE_TAIL = 0
LEAD_POSITION = 1.0
MIN_GAIN = -1.0
MIN_GAIN_AFTER = 2

_PRONOUN = r"he|she|it|they|this|that|these|those|his|her|their|its|the former|the latter"
_CONNECTIVE = r"but|however|and|also|meanwhile|yet|still|instead"
OPENERS = [
    re.compile(rf"^\s*(?:{alternatives})\b", re.IGNORECASE)
    for alternatives in (f"{_PRONOUN}|{_CONNECTIVE}", _PRONOUN, _CONNECTIVE)
]
QUOTE_OPEN = re.compile(r"^\s*(?:``|[\"‘“]|'(?=\w)(?!(?:s|m|re|ve|ll|d|t)\b))")
QUOTE_TAIL_PATTERN = re.compile(
    r"[,.!?]\s*(?:''|'|”|\")\s+(?:[\w.'-]+\s+){0,4}"
    r"(?:said|says|added|told|explained|insisted|admitted|claimed|wrote|tweeted)\b"
)


def cue_factors(texts: list[str], fragment: np.ndarray) -> FloatArray:
    rank = np.maximum(np.cumsum(~fragment) - 1, 0)
    out = np.ones(len(texts))
    for i, text in enumerate(texts):
        opener = OPENERS[OPENER_KIND].match(text)
        if OPENER_FACTOR != 1.0 and opener and not (OPENER_WAIVE == 1 and rank[i] == 1):
            out[i] *= OPENER_FACTOR
        quoted = QUOTE_OPEN.match(text) or (QUOTE_TAIL and QUOTE_TAIL_PATTERN.search(text))
        if QUOTE_FACTOR != 1.0 and quoted and len(text.split()) >= QUOTE_MIN_WORDS:
            out[i] *= QUOTE_FACTOR
    return out


def select(_: p.Precis, doc: ParsedDocument, budget: Budget) -> list[int]:
    """``Precis.select`` with the cues above."""
    n = len(doc.sentences)
    if n == 0:
        return []
    texts = [doc.text[span.start : span.end] for span in doc.sentences]
    tokens = list(map(words, texts))
    vectors, title = p.tfidf(tokens, words(doc.title))
    fragment = np.array(list(map(p.is_fragment, texts, tokens)))
    scores = p.sentence_scores(vectors, title, fragment)
    if LEAD_POSITION != 1.0:  # the position term is additive, then fragments scaled
        rank = np.maximum(np.cumsum(~fragment) - 1, 0)
        shift = np.where(fragment, p.FRAGMENT_FACTOR, 1.0) * (LEAD_POSITION - 1.0)
        scores = scores + np.where(rank == 0, shift, 0.0)
    plain = scores
    if OPENER_FACTOR != 1.0 or QUOTE_FACTOR != 1.0:
        scores = scores * cue_factors(texts, fragment)
    if budget.target_words is not None and not fragment.all():
        scores = np.where(fragment, -np.inf, scores)
    return mmr(scores, vectors, texts, budget, plain if OPENER_WAIVE == 2 else None)


def mmr(
    scores: FloatArray,
    vectors: p.Matrix,
    texts: list[str],
    budget: Budget,
    plain: FloatArray | None = None,
) -> list[int]:
    """``precis``'s ``_mmr`` (dense and sparse) with ``MIN_GAIN`` and the opener waiver."""
    n = len(scores)
    limit = budget.sentences
    if limit is not None and budget.target_words is not None:
        limit += 1
    chosen: list[int] = []
    used = 0
    penalty = np.zeros(n)
    remaining = np.array(scores, dtype=np.float64)
    for _ in range(n):
        if limit is not None and len(chosen) >= limit:
            break
        if budget.words is not None and chosen and used >= budget.words:
            break
        gains = remaining - p.REDUNDANCY_WEIGHT * penalty
        best = int(gains.argmax())
        if gains[best] == -np.inf:
            break
        stop = budget.target_words is not None and len(chosen) >= MIN_GAIN_AFTER
        if stop and gains[best] < MIN_GAIN:
            break
        remaining[best] = -np.inf
        size = len(texts[best].split())
        if chosen and budget.words is not None and used + size > budget.words:
            continue
        if chosen and budget.target_words is not None:
            target = budget.target_words
            if abs(used + size - target) > abs(used - target):
                break
        chosen.append(best)
        used += size
        if plain is not None and best + 1 < n and remaining[best + 1] != -np.inf:
            remaining[best + 1] = plain[best + 1]
        np.maximum(penalty, p._dot(vectors, p._row(vectors, best)), out=penalty)
    return chosen


def main(argv: list[str]) -> int:
    rest = []
    for assignment in argv:
        name, _, value = assignment.partition("=")
        if name in globals() and name.isupper():
            number = float(value)
            globals()[name] = int(number) if number.is_integer() else number
        else:
            rest.append(assignment)
    p.Precis.select = select  # type: ignore[method-assign,assignment]
    return tune_summaries.main(rest)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
