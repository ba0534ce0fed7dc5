"""Dev check: where precis's SummEval selections could gain (not a benchmark; ``bench.run``
skips it).

``PYTHONPATH=src:. python -m bench.summary_headroom`` prints, over SummEval's 100 articles
against ``ref_summ``: how often the greedy oracle (``bench.bench_summaries.Rouge.oracle``)
and precis's default choose the real sentence of each rank (fragments do not count as
ranks, as in precis's position prior), and the ROUGE-1 of per-document best choices
among the first 1, 2, 3 or 4 real sentences (an upper bound for a perfect length rule on
the lead) and among every set of 2-3 of the first 6 real sentences.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from bench.bench_summaries import Rouge
from bench.summary_data import summeval
from bench.tune_summaries import Scored, _f1, _grams, _mean
from precis.models import ParsedDocument
from precis.summarize import Length, summarize
from precis.summarize import precis as p
from precis.text.tokens import words


def real_sentences(doc: ParsedDocument) -> list[int]:
    texts = [doc.sentence_text(i) for i in range(len(doc.sentences))]
    return [i for i, text in enumerate(texts) if not p.is_fragment(text, words(text))]


def main() -> int:
    items = summeval()
    scored = Scored(items)
    rouge = Rouge()
    oracle_ranks: Counter[int] = Counter()
    precis_ranks: Counter[int] = Counter()

    def r1(k: int, indexes: tuple[int, ...] | list[int]) -> float:
        grams = _grams([w for i in sorted(indexes) for w in scored.tokens[k][i]])
        return _f1(grams[0], scored.refs[k][0][0])

    reals = [real_sentences(doc) for doc in scored.docs]
    for doc, item, real in zip(scored.docs, items, reals, strict=True):
        rank = {index: r for r, index in enumerate(real)}
        oracle_ranks.update(rank[i] for i in rouge.oracle(doc, item.reference) if i in rank)
        precis_ranks.update(rank[s.index] for s in summarize(doc, Length()).sentences)
    for name, ranks in (("oracle", oracle_ranks), ("precis", precis_ranks)):
        shown = ", ".join(f"{r}: {ranks[r]}" for r in range(6))
        print(f"{name} picks by real-sentence rank (of 100 documents): {shown}")
    for counts in ((1,), (2,), (3,), (4,), (2, 3), (1, 2, 3, 4)):
        best = [max(r1(k, real[:n]) for n in counts) for k, real in enumerate(reals)]
        print(f"best lead prefix of {counts} real sentences: R1 {_mean(best):.2f}")
    best = [
        max(r1(k, c) for n in (2, 3) for c in combinations(real[:6], n))
        for k, real in enumerate(reals)
    ]
    print(f"best 2-3 of the first 6 real sentences: R1 {_mean(best):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
