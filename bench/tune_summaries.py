"""Dev signals for tuning precis's summarizer (not a benchmark; ``bench.run`` skips it).

``PYTHONPATH=src:. python -m bench.tune_summaries [NAME=VALUE ...]`` prints, for the
default length, ROUGE-1/2 F1 on SummEval against ``ref_summ`` (the reported target) and
averaged over all 11 ``ref_summs`` (a steadier dev signal), each also per even/odd half,
on Newsroom and BBC, with Lead-3 alongside. ``NAME=VALUE`` overrides a constant of
``precis.summarize.precis`` (or, prefixed ``base.``, of ``precis.summarize.base``) for
the run (``POSITION_DECAY=0.8``, ``base.TARGET_WORDS_PER_SENTENCE=20``), so a sweep needs no
code edits. ROUGE-1/2 here are computed directly from ``rouge-score``'s own stemming
tokenizer (same n-gram F1 as ``rouge_scorer``) so that a sweep takes seconds.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from rouge_score import tokenizers

from bench.summary_data import Item, bbc, newsroom, summeval
from precis.models import ParsedDocument
from precis.summarize import Length, summarize
from precis.summarize import base as base_module
from precis.summarize import precis as precis_module
from precis.text.sentences import parse

Grams = tuple[Counter[Any], Counter[Any]]


def _grams(tokens: Sequence[str]) -> Grams:
    return Counter(tokens), Counter(pairwise(tokens))


def _f1(mine: Counter[Any], theirs: Counter[Any]) -> float:
    overlap = sum((mine & theirs).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(mine.values()), overlap / sum(theirs.values())
    return 200 * p * r / (p + r)


class Scored:
    """One set, parsed and tokenised once."""

    def __init__(self, items: Sequence[Item]) -> None:
        tokenizer = tokenizers.DefaultTokenizer(use_stemmer=True)
        self.docs = [parse(item.text, item.title) for item in items]
        self.tokens = [
            [tokenizer.tokenize(d.sentence_text(i)) for i in range(len(d.sentences))]
            for d in self.docs
        ]
        self.refs = [
            [_grams(tokenizer.tokenize(" ".join(ref))) for ref in item.references] for item in items
        ]

    def rouge(self, select: Callable[[ParsedDocument], list[int]]) -> dict[str, list[float]]:
        """Per document: R1 and R2 against the first reference, and averaged over all."""
        out: dict[str, list[float]] = {"r1": [], "r2": [], "r1_all": [], "r2_all": []}
        for doc, tokens, refs in zip(self.docs, self.tokens, self.refs, strict=True):
            words = [w for i in sorted(select(doc)) for w in tokens[i]]
            mine = _grams(words)
            first = [_f1(m, t) for m, t in zip(mine, refs[0], strict=True)]
            every = [[_f1(m, t) for m, t in zip(mine, ref, strict=True)] for ref in refs]
            out["r1"].append(first[0])
            out["r2"].append(first[1])
            out["r1_all"].append(sum(e[0] for e in every) / len(every))
            out["r2_all"].append(sum(e[1] for e in every) / len(every))
        return out


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def report(sets: dict[str, Scored]) -> None:
    methods: dict[str, Callable[[ParsedDocument], list[int]]] = {
        "precis": lambda d: [s.index for s in summarize(d, Length()).sentences],
        "lead3": lambda d: [s.index for s in summarize(d, Length(sentences=3), "lead").sentences],
    }
    for set_name, scored in sets.items():
        for name, method in methods.items():
            r = scored.rouge(method)
            line = f"{set_name:9} {name:7} R1 {_mean(r['r1']):6.2f} R2 {_mean(r['r2']):6.2f}"
            line += f" halves {_mean(r['r1'][0::2]):6.2f} {_mean(r['r1'][1::2]):6.2f}"
            if set_name == "summeval":
                line += f" | all-refs R1 {_mean(r['r1_all']):6.2f} R2 {_mean(r['r2_all']):6.2f}"
                line += f" halves {_mean(r['r1_all'][0::2]):6.2f} {_mean(r['r1_all'][1::2]):6.2f}"
            print(line, flush=True)


def main(argv: list[str]) -> int:
    modules = {"precis": precis_module, "base": base_module}
    for assignment in argv:
        name, _, value = assignment.partition("=")
        owner, _, constant = name.rpartition(".")
        number = float(value)
        setattr(
            modules[owner or "precis"], constant, int(number) if number.is_integer() else number
        )
    sets = {"summeval": Scored(summeval()), "newsroom": Scored(newsroom()), "bbc": Scored(bbc())}
    report(sets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
