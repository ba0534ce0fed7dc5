"""Learn the story summary's sentence scores from NeuS TRAIN stories (not run by ``bench.run``).

``PYTHONPATH=src python -m bench.fit_storysum [--stories N] [--targets f,prec,rec,oracle]
[--within] [--search] [--words] [--stop] [--full]``

Two-fold cross-validation on the NeuS **train** split only (val is for reporting with
``bench.run storysum``; test is never read): the train stories are split in two halves
(even / odd position); a linear model of per-sentence features (``sentence_features``,
all computable from the story alone) is fitted on one half, against a per-sentence
target taken from the neutral reference, and the other half is summarized with the
learned scores in place of the hand-set ones (same greedy MMR selection, same default
sentence count), then the other way round. The redundancy penalty for the learned score
is chosen on the fitting half. Printed per fold, side by side: the defaults and each
learned variant, ROUGE F (rouge-score, stemmed).

The "defaults" row is the hand-set scorer that the learned one replaced
(``HAND_WEIGHTS``); the "shipped" row is ``storysum.WEIGHTS`` (fitted on all of train,
so in-sample on both halves) with its greedy MMR. ``--within`` centres features and target per story
before the fit; ``--search`` refines the weights by coordinate ascent on the fitting
half's ROUGE-1; ``--subset`` then replaces greedy MMR by ``best_subset`` (the
default count's best subset: scores, pairwise redundancy, unigram F against the story's
shared wording), its two weights chosen on the fitting half; ``--words`` / ``--stop``
also learn a word budget / a stopping threshold on the fitting half; ``--full`` fits on
all of train and prints the weights pasted into storysum.py (``--within --targets f
--search --full``; with ``--subset`` it also prints round 5's two subset weights). See docs/benchmarks.md, "Round 4" and "Round 5".

Targets: ``f`` / ``prec`` / ``rec`` = the sentence's own ROUGE-1 F / precision / recall
against the reference (ridge regression); ``oracle`` = membership in the greedy
extractive oracle (ROUGE-1+2 F) at precis's default sentence count (logistic).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.common import shared
from precis.cluster import storysum
from precis.cluster.storysum import SourceArticle
from precis.summarize.base import Length, default_sentences
from precis.text.tokens import stem, words

METRICS = ("rouge1", "rouge2", "rougeLsum")
Story = dict[str, Any]
FloatArray = Any


@dataclass(slots=True)
class Prepared:
    story: Story
    units: list[Any]
    features: FloatArray
    sims: FloatArray
    default: FloatArray  # the hand-set score
    targets: dict[str, FloatArray]
    tokens: list[list[str]]  # rouge-score's tokens of each sentence
    reference: Counter[tuple[str, ...]]  # and the reference's unigrams
    reference_size: int
    shared: Counter[str]  # storysum.shared_wording of the story


# The hand-set scorer that the learned one replaced (storysum before round 4): agreement
# 1.0, position prior 0.6, headline similarity 0.8, MMR redundancy 0.7.
HAND_WEIGHTS = {"agreement": 1.0, "position_prior": 0.6, "title_mean": 0.8}
HAND_REDUNDANCY = 0.7


def _hand_scores(features: FloatArray) -> FloatArray:
    columns = [storysum.FEATURES.index(name) for name in HAND_WEIGHTS]
    return np.asarray(features[:, columns] @ np.array(list(HAND_WEIGHTS.values())))


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f(overlap: int, produced: int, reference: int) -> float:
    if not overlap or not produced or not reference:
        return 0.0
    p, r = overlap / produced, overlap / reference
    return 2 * p * r / (p + r)


def _prepare(story: Story, tokenize: Callable[[str], list[str]]) -> Prepared | None:
    articles = [
        SourceArticle(str(i), a["text"], a["title"], str(i))
        for i, a in enumerate(story["articles"])
    ]
    analysed = storysum._analyse(articles)
    if analysed is None:
        return None
    units, sims, _, features, _ = analysed
    common = shared_wording(units, [articles[u.article].outlet for u in units], articles)
    default = _hand_scores(features)
    ref = tokenize(story["summary"])
    ref1, ref2 = _ngrams(ref, 1), _ngrams(ref, 2)
    toks = [tokenize(u.text) for u in units]
    prec, rec, f1 = [], [], []
    for t in toks:
        overlap = sum((_ngrams(t, 1) & ref1).values())
        prec.append(overlap / len(t) if t else 0.0)
        rec.append(overlap / len(ref) if ref else 0.0)
        f1.append(_f(overlap, len(t), len(ref)))
    # greedy oracle at the default count (ROUGE-1 + ROUGE-2 F)
    count = default_sentences(len(units))
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < count:
        gains = []
        for i in range(len(units)):
            if i in chosen:
                continue
            joined = [w for j in [*chosen, i] for w in toks[j]]
            value = _f(sum((_ngrams(joined, 1) & ref1).values()), len(joined), len(ref)) + _f(
                sum((_ngrams(joined, 2) & ref2).values()), max(0, len(joined) - 1), len(ref) - 1
            )
            gains.append((value, -i, i))
        if not gains:
            break
        value, _, pick = max(gains)
        if value <= best:
            break
        best = value
        chosen.append(pick)
    oracle = np.zeros(len(units))
    oracle[chosen] = 1.0
    targets = {"prec": np.array(prec), "rec": np.array(rec), "f": np.array(f1), "oracle": oracle}
    return Prepared(story, units, features, sims, default, targets, toks, ref1, len(ref), common)


def _summary(p: Prepared, scores: FloatArray, redundancy: float) -> str:
    return _text(p, _chosen(p, scores, redundancy))


def _stopped(p: Prepared, scores: FloatArray, redundancy: float, threshold: float) -> list[int]:
    """Greedy MMR like ``storysum._select`` at the default length, but the count is
    learned: from 1 to nominal + 1 sentences, stopping when the next sentence's
    penalised score falls below ``threshold``."""
    nominal = default_sentences(len(p.units))
    chosen: list[int] = []
    remaining = set(range(len(p.units)))
    while remaining and len(chosen) < nominal + 1:
        penalty = p.sims[:, chosen].max(axis=1) if chosen else np.zeros(len(p.units))
        best = max(remaining, key=lambda i: (scores[i] - redundancy * penalty[i], -i))
        if chosen and scores[best] - redundancy * penalty[best] < threshold:
            break
        remaining.discard(best)
        chosen.append(best)
    return chosen


def _text(p: Prepared, chosen: list[int]) -> str:
    return "\n".join(p.units[i].text for i in chosen)


def _fast(stories: list[Prepared], picks: list[list[int]]) -> float:
    total = 0.0
    for p, chosen in zip(stories, picks, strict=True):
        joined = [w for i in chosen for w in p.tokens[i]]
        total += _f(sum((_ngrams(joined, 1) & p.reference).values()), len(joined), p.reference_size)
    return 100 * total / len(stories)


def _chosen(
    p: Prepared, scores: FloatArray, redundancy: float, length: Length | None = None
) -> list[int]:
    return storysum._select(p.units, scores, p.sims, length or Length(), redundancy)


# Round 5's selection (measured, not adopted: see docs/benchmarks.md "Round 5"): at the
# default count, the best subset of the SUBSET_CANDIDATES best-scored sentences, by the
# sum of their scores, minus a redundancy weight per unit of cosine between two of them,
# plus a weight times the subset's unigram F against the story's shared wording.
SUBSET_CANDIDATES = 10  # C(10, k) subsets at most: 252, at k = 5


def word_tokens(text: str) -> list[str]:
    """Every word of ``text``, lower-cased and stemmed, stop words kept (what a unigram
    F over a summary counts)."""
    return [stem(w) for w in words(text)]


def shared_wording(
    units: list[Any], outlets: list[str], articles: Sequence[SourceArticle]
) -> Counter[str]:
    """The story's shared wording: each word (``word_tokens``) that two or more outlets
    use, in their headlines or in their sentences, as often as an article uses it on
    average (at least once). A stand-in for a reference summary: what the sources say
    in common, so a subset's F against it rewards shared points at a summary's length."""
    per_article: list[Counter[str]] = [Counter(word_tokens(a.title)) for a in articles]
    for u in units:
        per_article[u.article].update(word_tokens(u.text))
    users: dict[str, set[str]] = {}
    totals: Counter[str] = Counter()
    for number, counts in enumerate(per_article):
        for word, count in counts.items():
            users.setdefault(word, set()).add(articles[number].outlet)
            totals[word] += count
    return Counter(
        {
            word: max(1, round(totals[word] / len(articles)))
            for word, who in users.items()
            if len(who) >= 2
        }
    )


def best_subset(
    units: list[Any],
    scores: FloatArray,
    sims: FloatArray,
    count: int,
    shared: Counter[str],
    redundancy: float,
    wording: float,
) -> list[int]:
    """The ``count`` sentences among the SUBSET_CANDIDATES best scored that maximise
    their scores' sum, minus ``redundancy`` times their pairwise cosines, plus
    ``wording`` times their unigram F against ``shared``; in order of score."""
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    count = min(count, len(order))
    top = order[: max(SUBSET_CANDIDATES, count)]
    combos = np.array(list(itertools.combinations(range(len(top)), count)), dtype=np.intp)
    value = scores[top][combos].sum(axis=1)
    pair_sims = sims[np.ix_(top, top)]
    for a, b in itertools.combinations(range(count), 2):
        value -= redundancy * pair_sims[combos[:, a], combos[:, b]]
    if wording and shared:
        vocab = {word: k for k, word in enumerate(shared)}
        counts = np.zeros((len(top), len(vocab) + 1))
        for row, i in enumerate(top):
            for word in word_tokens(units[i].text):
                counts[row, vocab.get(word, len(vocab))] += 1
        reference = np.array([*shared.values(), 0.0])
        summed = counts[combos].sum(axis=1)
        overlap = np.minimum(summed, reference).sum(axis=1)
        produced = summed.sum(axis=1)
        total = reference.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(overlap > 0, 2 * overlap / (produced + total), 0.0)
        value = value + wording * f
    best = combos[int(np.argmax(value))]
    return sorted((top[k] for k in best), key=lambda i: (-scores[i], i))


def _subset(p: Prepared, scores: FloatArray, redundancy: float, wording: float) -> list[int]:
    count = default_sentences(len(p.units))
    return best_subset(p.units, scores, p.sims, count, p.shared, redundancy, wording)


def _choose_subset(stories: list[Prepared], model: Model) -> tuple[float, float]:
    """The subset selection's redundancy and shared-wording weights with the best fast
    ROUGE-1 on these stories (``SUBSET_GRID`` x ``WORDING_GRID``)."""
    scores = [model.score(p.features) for p in stories]
    return max(
        itertools.product(SUBSET_GRID, WORDING_GRID),
        key=lambda rw: _fast(
            stories, [_subset(p, s, rw[0], rw[1]) for p, s in zip(stories, scores, strict=True)]
        ),
    )


def _fast_r1(stories: list[Prepared], model: Model, redundancy: float) -> float:
    """Mean ROUGE-1 F from the cached tokens (what rouge-score computes, without its
    per-call overhead): used only to choose the redundancy on the fitting half."""
    return _fast(stories, [_chosen(p, model.score(p.features), redundancy) for p in stories])


def _fast_r1_scores(stories: list[Prepared], redundancy: float) -> float:
    return _fast(stories, [_chosen(p, p.default, redundancy) for p in stories])


def _rouge(scorer: Any, stories: list[Prepared], summaries: list[str]) -> dict[str, float]:
    totals = dict.fromkeys(METRICS, 0.0)
    words = 0
    for p, text in zip(stories, summaries, strict=True):
        scores = scorer.score(p.story["summary"], text)
        words += len(text.split())
        for m in METRICS:
            totals[m] += scores[m].fmeasure
    out = {m: 100 * v / len(stories) for m, v in totals.items()}
    out["words"] = words / len(stories)
    return out


@dataclass(frozen=True, slots=True)
class Model:
    weights: FloatArray  # on raw features (standardisation folded in)
    intercept: float

    def score(self, features: FloatArray) -> FloatArray:
        return np.asarray(features @ self.weights + self.intercept)


def _fit(stories: list[Prepared], target: str, alpha: float, within: bool = False) -> Model:
    """Linear model of the target; ``within``: features and target centred per story
    first (only the order of a story's sentences matters to the selection)."""
    from sklearn.linear_model import LogisticRegression, Ridge

    if within and target != "oracle":
        x = np.vstack([p.features - p.features.mean(axis=0) for p in stories])
        y = np.concatenate([p.targets[target] - p.targets[target].mean() for p in stories])
    else:
        x = np.vstack([p.features for p in stories])
        y = np.concatenate([p.targets[target] for p in stories])
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std
    if target == "oracle":
        model = LogisticRegression(C=1.0 / alpha, max_iter=2000).fit(z, y)
        coef, intercept = model.coef_.ravel(), float(model.intercept_[0])
    else:
        model = Ridge(alpha=alpha).fit(z, y)
        coef, intercept = np.asarray(model.coef_).ravel(), float(model.intercept_)
    weights = coef / std
    return Model(weights, intercept - float(weights @ mean))


def _scaled(model: Model, stories: list[Prepared]) -> Model:
    """Rescale so the learned score has the spread of the default score over these
    stories: the redundancy grid then means the same thing for both."""
    learned = np.concatenate([model.score(p.features) for p in stories])
    default = np.concatenate([p.default for p in stories])
    factor = float(default.std() / learned.std()) if learned.std() else 1.0
    return Model(model.weights * factor, model.intercept * factor)


def _search(stories: list[Prepared], model: Model, redundancy: float, rounds: int = 2) -> Model:
    """Coordinate ascent on the fitting half's ROUGE-1: each weight in turn scaled by
    0, 0.5, 1.5, 2 or sign-flipped, keeping a change only if it raises the fast ROUGE-1."""
    weights = model.weights.copy()
    best = _fast_r1(stories, Model(weights, model.intercept), redundancy)
    for _ in range(rounds):
        for k in range(len(weights)):
            for factor in (0.0, 0.5, 1.5, 2.0, -1.0):
                trial = weights.copy()
                trial[k] *= factor
                value = _fast_r1(stories, Model(trial, model.intercept), redundancy)
                if value > best + 0.02:
                    best, weights = value, trial
    return Model(weights, model.intercept)


REDUNDANCY_GRID = (0.3, 0.5, 0.7, 1.0, 1.5)
SUBSET_GRID = (0.5, 0.7, 1.0, 1.5)
WORDING_GRID = (0.0, 1.0, 2.0, 3.0, 5.0, 8.0)


def main(argv: list[str]) -> int:
    from rouge_score import rouge_scorer

    parser = argparse.ArgumentParser(prog="bench.fit_storysum")
    parser.add_argument("--stories", type=int, default=0, help="first N train stories (0: all)")
    parser.add_argument("--targets", default="f,prec,rec,oracle")
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--within", action="store_true", help="centre per story before fitting")
    parser.add_argument("--words", action="store_true", help="also learn a word budget")
    parser.add_argument("--search", action="store_true", help="refine weights for ROUGE-1")
    parser.add_argument("--stop", action="store_true", help="also learn where to stop")
    parser.add_argument(
        "--subset", action="store_true", help="after the search, best-subset selection"
    )
    parser.add_argument("--full", action="store_true", help="fit on all train, print weights")
    args = parser.parse_args(argv)
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    tokenize = scorer._tokenizer.tokenize
    with gzip.open(shared("neus-allsides", "neus_roundup.jsonl.gz"), "rt", encoding="utf-8") as f:
        raw = [r for r in map(json.loads, f) if r["split"] == "train"]
    if args.stories:
        raw = raw[: args.stories]
    start = time.perf_counter()
    prepared = [p for p in (_prepare(s, tokenize) for s in raw) if p is not None]
    print(f"{len(prepared)} train stories prepared ({time.perf_counter() - start:.0f}s)")
    targets = args.targets.split(",")
    if args.full:
        print(f"hand-set: fast ROUGE-1 {_fast_r1_scores(prepared, HAND_REDUNDANCY):.2f}")
        for target in targets:
            model = _scaled(_fit(prepared, target, args.alpha, args.within), prepared)
            best = max(REDUNDANCY_GRID, key=lambda r: _fast_r1(prepared, model, r))
            print(f"target {target}: fast ROUGE-1 {_fast_r1(prepared, model, best):.2f}")
            if args.search:
                model = _search(prepared, model, best)
                print(f"  after search: fast ROUGE-1 {_fast_r1(prepared, model, best):.2f}")
            if args.subset:
                red, wording = _choose_subset(prepared, model)
                value = _fast(
                    prepared, [_subset(p, model.score(p.features), red, wording) for p in prepared]
                )
                print(f"  subset: redundancy {red}, shared wording {wording}: {value:.2f}")
            print(f"target {target}: redundancy {best}, intercept {model.intercept:.6f}")
            for name, w in zip(storysum.FEATURES, model.weights, strict=True):
                print(f"  {name:20s} {w: .6f}")
        return 0
    folds = [prepared[0::2], prepared[1::2]]
    for k, (fit_on, test_on) in enumerate([(folds[0], folds[1]), (folds[1], folds[0])]):
        rows: dict[str, dict[str, float]] = {}
        rows["defaults"] = _rouge(
            scorer, test_on, [_summary(p, p.default, HAND_REDUNDANCY) for p in test_on]
        )
        shipped = Model(np.array(storysum.WEIGHTS), 0.0)
        rows["shipped (all train: in-sample)"] = _rouge(
            scorer,
            test_on,
            [_summary(p, shipped.score(p.features), storysum.REDUNDANCY) for p in test_on],
        )

        for target in targets:
            model = _scaled(_fit(fit_on, target, args.alpha, args.within), fit_on)
            chosen = max(REDUNDANCY_GRID, key=lambda r: _fast_r1(fit_on, model, r))
            rows[f"learned:{target} (red {chosen})"] = _rouge(
                scorer, test_on, [_summary(p, model.score(p.features), chosen) for p in test_on]
            )
            if args.words:
                budget = max(
                    range(45, 100, 5),
                    key=lambda w: _fast(
                        fit_on,
                        [
                            _chosen(p, model.score(p.features), chosen, Length(words=w))
                            for p in fit_on
                        ],
                    ),
                )
                rows[f"learned:{target} {budget} words"] = _rouge(
                    scorer,
                    test_on,
                    [
                        _text(p, _chosen(p, model.score(p.features), chosen, Length(words=budget)))
                        for p in test_on
                    ],
                )
            if args.search:
                model = _search(fit_on, model, chosen)
                rows[f"learned:{target} +search"] = _rouge(
                    scorer, test_on, [_summary(p, model.score(p.features), chosen) for p in test_on]
                )
            if args.subset:
                red, wording = _choose_subset(fit_on, model)
                rows[f"learned:{target} +subset ({red}, {wording})"] = _rouge(
                    scorer,
                    test_on,
                    [_text(p, _subset(p, model.score(p.features), red, wording)) for p in test_on],
                )
            if args.stop:
                learned = np.concatenate([model.score(p.features) for p in fit_on])
                grid = [float(np.quantile(learned, q)) for q in np.linspace(0.05, 0.95, 19)]
                threshold = max(
                    grid,
                    key=lambda t: _fast(
                        fit_on, [_stopped(p, model.score(p.features), chosen, t) for p in fit_on]
                    ),
                )
                rows[f"learned:{target} +stop {threshold:.2f}"] = _rouge(
                    scorer,
                    test_on,
                    [
                        _text(p, _stopped(p, model.score(p.features), chosen, threshold))
                        for p in test_on
                    ],
                )
        print(f"fold {k + 1}: fit on {len(fit_on)}, evaluated on {len(test_on)}")
        for name, row in rows.items():
            print(
                f"  {name:32s} R1 {row['rouge1']:.2f}  R2 {row['rouge2']:.2f}  "
                f"RLsum {row['rougeLsum']:.2f}  words {row['words']:.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
