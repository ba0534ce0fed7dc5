"""Dev check: would a supervised re-weighting of precis's score components help?
(Not a benchmark; ``bench.run`` skips it.)

``PYTHONPATH=src:. python -m bench.fit_summary_weights [C ...]`` labels every sentence of
SummEval's 100 articles with greedy-oracle membership against ``ref_summ`` (the
benchmark's oracle: add the sentence that most raises ROUGE-1 + ROUGE-2 F1 until none
does), fits a logistic regression of the label on the score components (position prior,
centrality, first real sentence, log length, context-dependent opener and direct-quote
opener as in ``bench.summary_cues``, fragment) on one half (even or odd documents) and scores the other half with it,
in both directions. The fitted linear score, divided by its position coefficient so that
the position prior keeps weight 1, replaces ``sentence_scores`` (fragments still barred,
same MMR, same word target), and R1 against ``ref_summ`` and the 11 references is
printed for the held-out half beside the default and Lead-3. Newsroom is never used to
fit; BBC has a different reference style. ``C`` is the inverse L2 strength (default 1).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.bench_summaries import Rouge
from bench.summary_cues import OPENERS, QUOTE_OPEN
from bench.summary_data import summeval
from bench.tune_summaries import Scored, _mean
from precis.models import ParsedDocument
from precis.summarize import Length, summarize
from precis.summarize import precis as p
from precis.summarize.vectors import FloatArray, scale
from precis.text.tokens import words

FEATURES = ("position", "centrality", "first", "log_words", "opener", "quote", "fragment")


def features(doc: ParsedDocument) -> tuple[FloatArray, p.Matrix, np.ndarray, list[str]]:
    texts = [doc.text[s.start : s.end] for s in doc.sentences]
    tokens = list(map(words, texts))
    vectors, _ = p.tfidf(tokens, words(doc.title))
    fragment = np.array(list(map(p.is_fragment, texts, tokens)))
    rank = np.maximum(np.cumsum(~fragment) - 1, 0)
    dense = np.asarray(vectors.toarray() if not isinstance(vectors, np.ndarray) else vectors)
    centrality = scale(dense @ dense.sum(axis=0) - 1.0)
    columns = [
        1.0 / (1.0 + p.POSITION_DECAY * rank),
        centrality,
        ((rank == 0) & ~fragment).astype(float),
        np.log1p([len(t.split()) for t in texts]),
        np.array([OPENERS[0].match(t) is not None for t in texts], dtype=float),
        np.array([QUOTE_OPEN.match(t) is not None for t in texts], dtype=float),
        fragment.astype(float),
    ]
    return np.column_stack(columns), dense, fragment, texts


def main(argv: list[str]) -> int:
    strengths = [float(a) for a in argv] or [1.0]
    items = summeval()
    scored = Scored(items)
    rouge = Rouge()
    table = [features(doc) for doc in scored.docs]
    labels = []
    for doc, item in zip(scored.docs, items, strict=True):
        chosen = set(rouge.oracle(doc, item.reference))
        labels.append(np.array([i in chosen for i in range(len(doc.sentences))]))
    index = {id(doc): k for k, doc in enumerate(scored.docs)}

    def default(doc: ParsedDocument) -> list[int]:
        return [s.index for s in summarize(doc, Length()).sentences]

    def lead(doc: ParsedDocument) -> list[int]:
        return [s.index for s in summarize(doc, Length(sentences=3), "lead").sentences]

    def fitted(weights: FloatArray) -> Callable[[ParsedDocument], list[int]]:
        def select(doc: ParsedDocument) -> list[int]:
            x, dense, fragment, texts = table[index[id(doc)]]
            scores = np.where(fragment, -np.inf, x @ weights)
            return p._mmr(scores, dense, texts, Length().budget(doc))

        return select

    def report(name: str, method: Callable[[ParsedDocument], list[int]], half: int) -> None:
        r = scored.rouge(method)
        print(
            f"  {name:28} held-out half R1 {_mean(r['r1'][half::2]):6.2f}"
            f" 11 refs {_mean(r['r1_all'][half::2]):6.2f}"
        )

    for c in strengths:
        for train in (0, 1):
            test = 1 - train
            x = np.vstack([table[k][0] for k in range(train, len(table), 2)])
            y = np.concatenate([labels[k] for k in range(train, len(table), 2)])
            model = LogisticRegression(C=c, max_iter=1000).fit(x, y)
            coef = model.coef_[0]
            weights = coef / coef[0]
            print(
                f"C={c:g} fit on {['even', 'odd'][train]} half; raw coefficients "
                + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, coef, strict=True))
            )
            print(
                "  relative to position: "
                + ", ".join(f"{n} {w:+.3f}" for n, w in zip(FEATURES, weights, strict=True))
            )
            report("fitted", fitted(weights), test)
            report("default precis", default, test)
            report("Lead-3", lead, test)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
