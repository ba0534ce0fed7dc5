"""Round 5 of the story-summary scorer, NeuS TRAIN only (not run by ``bench.run``).

``PYTHONPATH=src python -m bench.explore_storysum5 [--stories N] --variants V1,V2,...``

Same two-fold cross-validation as ``bench.fit_storysum`` (even / odd train stories; fit
on one half, ROUGE F on the other, and back). Every run first prints the reference row:
round 4's shipped procedure re-fitted on each fitting half ("own F, within, + search",
``round4``). The variants (every weight, penalty and offset chosen on the fitting half):

* ``exact``: the best subset of the default count (sum of scores minus a pairwise
  redundancy penalty, over the top ``EXACT_TOP`` sentences) instead of greedy MMR;
* ``count``: the count offset (-1 / 0 / +1) for stories of more than ``COUNT_SPLIT``
  sentences; ``countmap``: one offset per pooled-count bucket (``BUCKETS``);
* ``combo``: ``exact`` with the ``countmap`` offsets; with ``pseudo`` also a term for
  the subset's unigram F against the story's shared wording (``pseudo_reference``);
* ``fine``: a finer, longer coordinate search (x0, x0.5, x0.8, x1.25, x1.5, x2, x-1 and
  additive steps, up to four rounds, the redundancy weight searched with them);
* ``feats``: the round-4 procedure with the candidate features ``EXTRA`` appended;
* ``listwise``: the weights fitted by maximising the expected ROUGE-1 (or R1 + 0.5 R2)
  under a softmax over every subset of the default count (L-BFGS, L2 weight chosen by an
  inner two-fold split), then exact or greedy selection;
* ``bag``: the mean of four coordinate searches on random halves of the fitting half.

Prepared stories are cached in ``/tmp`` (``CACHE``). See docs/benchmarks.md, "Round 5".
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import pickle
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench import fit_storysum as fs
from bench.common import shared
from precis.cluster import storysum
from precis.summarize.base import default_sentences
from precis.summarize.vectors import term_matrix
from precis.text.tokens import content_terms

FloatArray = Any
EXTRA = (
    "degree",  # mean cosine to the story's other sentences
    "lexrank",  # continuous LexRank (damping 0.85) times the sentence count
    "shared_entities",  # its capitalised words / digit runs that 2+ articles use
    "entity_share",  # that count over its own capitalised words / digit runs
    "headline_terms",  # share of its content terms found in 2+ headlines
    "only_sentence",  # its article has no other sentence
    "medoid_cos",  # cosine to the article most similar to the others
    "in_medoid",  # it belongs to that article
)
EXACT_TOP = 10
COUNT_SPLIT = 6
CACHE = "/tmp/storysum5_prepared_v2.pkl"
_ENTITY = re.compile(r"(?<=\s)[A-Z][A-Za-z]+|(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")


def extra_features(p: fs.Prepared) -> FloatArray:
    units = p.units
    n = len(units)
    arts = p.story["articles"]
    terms = [content_terms(u.text) for u in units]
    vectors, _ = term_matrix(terms, [content_terms(a["title"]) for a in arts])
    sims = p.sims.copy()
    np.fill_diagonal(sims, 0.0)
    degree = sims.sum(axis=1) / max(1, n - 1)
    # continuous LexRank
    rows = sims.sum(axis=1, keepdims=True)
    rows[rows == 0] = 1.0
    trans = sims / rows
    rank = np.full(n, 1.0 / n)
    for _ in range(50):
        rank = 0.15 / n + 0.85 * trans.T @ rank
    lexrank = rank * n
    article = np.array([u.article for u in units])
    ents_by_article: list[set[str]] = []
    for a in arts:
        text = " " + a["title"] + " " + a["text"]
        ents_by_article.append({m.lower() for m in _ENTITY.findall(text)})
    counts: dict[str, int] = {}
    for s in ents_by_article:
        for e in s:
            counts[e] = counts.get(e, 0) + 1
    shared_e, share = [], []
    for u in units:
        mine = {m.lower() for m in _ENTITY.findall(" " + u.text)}
        k = sum(1 for e in mine if counts.get(e, 0) >= 2)
        shared_e.append(float(k))
        share.append(k / len(mine) if mine else 0.0)
    head_counts: dict[str, int] = {}
    for a in arts:
        for t in set(content_terms(a["title"])):
            head_counts[t] = head_counts.get(t, 0) + 1
    headline_terms = [
        (sum(1 for t in set(ts) if head_counts.get(t, 0) >= 2) / len(set(ts))) if ts else 0.0
        for ts in terms
    ]
    sizes = np.bincount(article, minlength=len(arts))
    only = (sizes[article] == 1).astype(float)
    # article vectors: normalised sums of their sentence vectors
    dense = np.asarray(vectors.todense())
    avec = np.zeros((len(arts), dense.shape[1]))
    for i, a in enumerate(article):
        avec[a] += dense[i]
    norms = np.linalg.norm(avec, axis=1)
    norms[norms == 0] = 1.0
    avec /= norms[:, None]
    asim = avec @ avec.T
    np.fill_diagonal(asim, 0.0)
    medoid = int(np.argmax(asim.sum(axis=1)))
    medoid_cos = dense @ avec[medoid]
    in_medoid = (article == medoid).astype(float)
    return np.column_stack(
        [
            degree,
            lexrank,
            shared_e,
            share,
            headline_terms,
            only,
            medoid_cos,
            in_medoid,
        ]
    ).astype(np.float64)


def load(stories: int) -> list[fs.Prepared]:
    from rouge_score import rouge_scorer

    path = f"{CACHE}.{stories}"
    if os.path.exists(path):
        with open(path, "rb") as f:
            cached: list[fs.Prepared] = pickle.load(f)
            return cached
    scorer = rouge_scorer.RougeScorer(list(fs.METRICS), use_stemmer=True)
    tokenize = scorer._tokenizer.tokenize
    with gzip.open(shared("neus-allsides", "neus_roundup.jsonl.gz"), "rt", encoding="utf-8") as f:
        raw = [r for r in map(json.loads, f) if r["split"] == "train"]
    if stories:
        raw = raw[:stories]
    prepared = [p for p in (fs._prepare(s, tokenize) for s in raw) if p is not None]
    for p in prepared:
        p.targets["extra"] = extra_features(p)
    with open(path, "wb") as f:
        pickle.dump(prepared, f)
    return prepared


def with_extra(stories: list[fs.Prepared], names: tuple[str, ...]) -> list[fs.Prepared]:
    cols = [EXTRA.index(n) for n in names]
    out = []
    for p in stories:
        q = fs.Prepared(
            p.story,
            p.units,
            np.hstack([p.features, p.targets["extra"][:, cols]]),
            p.sims,
            p.default,
            p.targets,
            p.tokens,
            p.reference,
            p.reference_size,
            p.shared,
        )
        out.append(q)
    return out


# -- selection variants -------------------------------------------------------------


def exact_pick(
    p: fs.Prepared,
    scores: FloatArray,
    lam: float,
    offset: int = 0,
    offsets: dict[int, int] | None = None,
) -> list[int]:
    n = len(p.units)
    if offsets is not None:
        offset = offsets.get(bucket_of(n), 0)
    count = max(1, min(n, default_sentences(n) + offset))
    top = list(np.argsort(-scores, kind="stable")[:EXACT_TOP])
    best: tuple[float, tuple[int, ...]] = (-np.inf, ())
    for combo in itertools.combinations(top, count):
        value = float(sum(scores[i] for i in combo))
        value -= lam * sum(p.sims[i, j] for i, j in itertools.combinations(combo, 2))
        if value > best[0] + 1e-12:
            best = (value, combo)
    return sorted(best[1], key=lambda i: (-scores[i], i))


BUCKETS = ((0, 3), (4, 4), (5, 6), (7, 9), (10, 10_000))  # pooled sentence counts


def bucket_of(n: int) -> int:
    return next(k for k, (lo, hi) in enumerate(BUCKETS) if lo <= n <= hi)


def counted_pick(
    p: fs.Prepared, scores: FloatArray, red: float, offsets: dict[int, int]
) -> list[int]:
    n = len(p.units)
    count = max(1, min(n, default_sentences(n) + offsets.get(bucket_of(n), 0)))
    return storysum._select(p.units, scores, p.sims, storysum.Length(sentences=count), red)


def pseudo_reference(p: fs.Prepared, tokenize: Callable[[str], list[str]]) -> Counter[str]:
    """The story's shared wording: each token that 2+ articles use, as often as the
    articles use it on average (rouge-score's tokens, stemmed)."""
    per = [Counter(tokenize(a["title"] + " " + a["text"])) for a in p.story["articles"]]
    out: Counter[str] = Counter()
    for t in set().union(*per):
        having = [c[t] for c in per if t in c]
        if len(having) >= 2:
            out[t] = max(1, round(sum(having) / len(per)))
    return out


def pseudo_pick(
    p: fs.Prepared, scores: FloatArray, lam: float, mu: float, offsets: dict[int, int]
) -> list[int]:
    n = len(p.units)
    count = max(1, min(n, default_sentences(n) + offsets.get(bucket_of(n), 0)))
    ref: Counter[str] = p.targets["pseudo"]
    size = sum(ref.values())
    top = list(np.argsort(-scores, kind="stable")[:EXACT_TOP])
    best: tuple[float, tuple[int, ...]] = (-np.inf, ())
    for combo in itertools.combinations(top, count):
        value = float(sum(scores[i] for i in combo))
        value -= lam * sum(p.sims[i, j] for i, j in itertools.combinations(combo, 2))
        if mu:
            joined = Counter(w for i in combo for w in p.tokens[i])
            value += mu * fs._f(sum((joined & ref).values()), sum(joined.values()), size)
        if value > best[0] + 1e-12:
            best = (value, combo)
    return sorted(best[1], key=lambda i: (-scores[i], i))


def mmr_pick(p: fs.Prepared, scores: FloatArray, red: float, offset: int = 0) -> list[int]:
    n = len(p.units)
    if offset == 0 or n <= COUNT_SPLIT:
        return fs._chosen(p, scores, red)
    count = max(1, default_sentences(n) + offset)
    return storysum._select(p.units, scores, p.sims, storysum.Length(sentences=count), red)


def greedy(stories: list[fs.Prepared], model: fs.Model, red: float) -> list[list[int]]:
    """Each story's greedy MMR pick with ``model``'s scores (round 4's selection)."""
    return [fs._chosen(p, model.score(p.features), red) for p in stories]


def fast(stories: list[fs.Prepared], picks: list[list[int]]) -> float:
    return fs._fast(stories, picks)


def fine_search(
    stories: list[fs.Prepared], model: fs.Model, red: float, rounds: int = 4
) -> tuple[fs.Model, float]:
    weights = model.weights.copy()
    x = np.vstack([p.features for p in stories])
    std = x.std(axis=0)
    std[std == 0] = 1.0
    spread = float(np.concatenate([model.score(p.features) for p in stories]).std()) or 1.0

    def value(w: FloatArray, r: float) -> float:
        m = fs.Model(w, model.intercept)
        return fast(stories, greedy(stories, m, r))

    best = value(weights, red)
    for _ in range(rounds):
        improved = False
        for k in range(len(weights)):
            trials = [weights[k] * f for f in (0.0, 0.5, 0.8, 1.25, 1.5, 2.0, -1.0)]
            trials += [weights[k] + c * spread / std[k] for c in (-0.15, -0.05, 0.05, 0.15)]
            for t in trials:
                trial = weights.copy()
                trial[k] = t
                v = value(trial, red)
                if v > best + 0.02:
                    best, weights, improved = v, trial, True
        for r in (red * 0.8, red * 0.9, red * 1.1, red * 1.25):
            v = value(weights, r)
            if v > best + 0.02:
                best, red, improved = v, r, True
        if not improved:
            break
    return fs.Model(weights, model.intercept), red


# -- listwise: expected ROUGE over every subset of the default count -------------------


@dataclass(slots=True)
class Subsets:
    """Every subset of the default count of each story, stacked: its summed (standardised)
    sentence features plus its summed pairwise cosine (last column), its story, and its
    fast ROUGE-1 / ROUGE-2 F against the reference."""

    x: FloatArray
    story: FloatArray  # story index of each row
    starts: FloatArray  # first row of each story
    r1: FloatArray
    r2: FloatArray
    members: list[list[tuple[int, ...]]]


def subsets(stories: list[fs.Prepared], mean: FloatArray, std: FloatArray) -> Subsets:
    rows, owner, r1s, r2s, members, starts = [], [], [], [], [], []
    for k, p in enumerate(stories):
        n = len(p.units)
        count = default_sentences(n)
        z = (p.features - mean) / std
        combos = list(itertools.combinations(range(n), count))
        starts.append(len(owner))
        members.append(combos)
        for combo in combos:
            pair = sum(p.sims[i, j] for i, j in itertools.combinations(combo, 2))
            rows.append(np.append(z[list(combo)].sum(axis=0), pair))
            owner.append(k)
            joined = [w for i in combo for w in p.tokens[i]]
            r1s.append(
                fs._f(
                    sum((fs._ngrams(joined, 1) & p.reference).values()),
                    len(joined),
                    p.reference_size,
                )
            )
            r2s.append(
                fs._f(
                    sum((fs._ngrams(joined, 2) & p.targets["ref2"]).values()),
                    max(0, len(joined) - 1),
                    p.reference_size - 1,
                )
            )
    return Subsets(
        np.array(rows), np.array(owner), np.array(starts), np.array(r1s), np.array(r2s), members
    )


def expected(
    theta: FloatArray, s: Subsets, reward: FloatArray, alpha: float
) -> tuple[float, FloatArray]:
    """Minus the mean expected reward under a softmax over each story's subsets, plus
    ``alpha`` |theta|^2, and its gradient."""
    score = s.x @ theta
    top = np.maximum.reduceat(score, s.starts)
    e = np.exp(score - top[s.story])
    z = np.add.reduceat(e, s.starts)
    prob = e / z[s.story]
    mean_r = np.add.reduceat(prob * reward, s.starts)
    stories = len(s.starts)
    grad_rows = prob * (reward - mean_r[s.story])
    grad = s.x.T @ grad_rows / stories
    value = float(mean_r.sum() / stories)
    return -value + alpha * float(theta @ theta), -grad + 2 * alpha * theta


def fit_listwise(s: Subsets, reward: FloatArray, alpha: float, start: FloatArray) -> FloatArray:
    from scipy.optimize import minimize

    result = minimize(
        expected,
        start,
        args=(s, reward, alpha),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 500},
    )
    return np.asarray(result.x)


def inner_value(
    inner: list[list[fs.Prepared]],
    inner_s: list[Subsets],
    mix: float,
    alpha: float,
    start: FloatArray,
) -> float:
    """Held-out fast ROUGE-1 of the listwise fit over an inner two-fold split."""
    total = 0.0
    for a, b in ((0, 1), (1, 0)):
        th = fit_listwise(inner_s[a], inner_s[a].r1 + mix * inner_s[a].r2, alpha, start)
        total += fast(inner[b], argmax_picks(inner_s[b], th))
    return total


def argmax_picks(s: Subsets, theta: FloatArray) -> list[list[int]]:
    score = s.x @ theta
    ends = [*s.starts[1:], len(score)]
    return [
        list(s.members[k][int(np.argmax(score[a:b]))])
        for k, (a, b) in enumerate(zip(s.starts, ends, strict=True))
    ]


def round4(fit_on: list[fs.Prepared]) -> tuple[fs.Model, float]:
    model = fs._scaled(fs._fit(fit_on, "f", 1.0, True), fit_on)
    red = max(fs.REDUNDANCY_GRID, key=lambda r: fs._fast_r1(fit_on, model, r))
    return fs._search(fit_on, model, red), red


def main(argv: list[str]) -> int:
    from rouge_score import rouge_scorer

    parser = argparse.ArgumentParser(prog="bench.explore_storysum5")
    parser.add_argument("--stories", type=int, default=0)
    parser.add_argument("--variants", default="base,exact,count,fine,feats")
    parser.add_argument("--extra", default=",".join(EXTRA))
    args = parser.parse_args(argv)
    scorer = rouge_scorer.RougeScorer(list(fs.METRICS), use_stemmer=True)
    start = time.perf_counter()
    prepared = load(args.stories)
    print(f"{len(prepared)} train stories ({time.perf_counter() - start:.0f}s)", flush=True)
    variants = args.variants.split(",")
    for p in prepared:
        p.targets["ref2"] = fs._ngrams(scorer._tokenizer.tokenize(p.story["summary"]), 2)
    extra = tuple(e for e in args.extra.split(",") if e)
    folds = [prepared[0::2], prepared[1::2]]

    def report(name: str, test_on: list[fs.Prepared], picks: list[list[int]]) -> None:
        row = fs._rouge(
            scorer, test_on, [fs._text(p, c) for p, c in zip(test_on, picks, strict=True)]
        )
        print(
            f"  {name:44s} R1 {row['rouge1']:.2f}  R2 {row['rouge2']:.2f}  "
            f"RLsum {row['rougeLsum']:.2f}  words {row['words']:.1f}",
            flush=True,
        )

    for k, (fit_on, test_on) in enumerate([(folds[0], folds[1]), (folds[1], folds[0])]):
        print(f"fold {k + 1}: fit on {len(fit_on)}, evaluated on {len(test_on)}", flush=True)
        t0 = time.perf_counter()
        model, red = round4(fit_on)
        report(
            f"base: own F, within, + search (red {red})",
            test_on,
            greedy(test_on, model, red),
        )

        def scores_of(m: fs.Model) -> Callable[[fs.Prepared], FloatArray]:
            return lambda q: m.score(q.features)

        if "exact" in variants:
            s = scores_of(model)
            lam = max(
                (0.2, 0.35, 0.5, 0.7, 1.0, 1.5),
                key=lambda lm: fast(fit_on, [exact_pick(p, s(p), lm) for p in fit_on]),
            )
            report(
                f"base + exact subset (lambda {lam})",
                test_on,
                [exact_pick(p, s(p), lam) for p in test_on],
            )
        if "count" in variants:
            s = scores_of(model)
            off = max(
                (-1, 0, 1),
                key=lambda o: fast(fit_on, [mmr_pick(p, s(p), red, o) for p in fit_on]),
            )
            report(
                f"base + count offset {off} above {COUNT_SPLIT}",
                test_on,
                [mmr_pick(p, s(p), red, off) for p in test_on],
            )
        if "countmap" in variants:
            s = scores_of(model)
            offsets: dict[int, int] = {}
            for b in range(len(BUCKETS)):
                mine = [p for p in fit_on if bucket_of(len(p.units)) == b]
                offsets[b] = max(
                    (0, -1, 1),
                    key=lambda o: fast(mine, [counted_pick(p, s(p), red, {b: o}) for p in mine]),
                )
            report(
                f"base + count offsets {offsets}",
                test_on,
                [counted_pick(p, s(p), red, offsets) for p in test_on],
            )
            for b in range(len(BUCKETS)):
                mine = [p for p in test_on if bucket_of(len(p.units)) == b]
                row = [
                    fast(mine, [counted_pick(p, s(p), red, {b: o}) for p in mine])
                    for o in (-1, 0, 1)
                ]
                print(
                    f"   bucket {BUCKETS[b]} ({len(mine)}): fast R1 at -1/0/+1 "
                    + " / ".join(f"{v:.2f}" for v in row)
                )
        if "combo" in variants:
            s = scores_of(model)
            offsets = {}
            for b in range(len(BUCKETS)):
                mine = [p for p in fit_on if bucket_of(len(p.units)) == b]
                offsets[b] = max(
                    (0, -1, 1),
                    key=lambda o: fast(mine, [counted_pick(p, s(p), red, {b: o}) for p in mine]),
                )
            lam = max(
                (0.5, 0.7, 1.0, 1.5),
                key=lambda lm: fast(
                    fit_on, [exact_pick(p, s(p), lm, offsets=offsets) for p in fit_on]
                ),
            )
            report(
                f"base + exact (lambda {lam}) + offsets {offsets}",
                test_on,
                [exact_pick(p, s(p), lam, offsets=offsets) for p in test_on],
            )
            if "pseudo" in variants:
                for p in (*fit_on, *test_on):
                    p.targets["pseudo"] = pseudo_reference(p, scorer._tokenizer.tokenize)
                mu = max(
                    (0.0, 0.25, 0.5, 1.0, 2.0),
                    key=lambda m: fast(
                        fit_on, [pseudo_pick(p, s(p), lam, m, offsets) for p in fit_on]
                    ),
                )
                report(
                    f"  + pseudo-reference F (mu {mu})",
                    test_on,
                    [pseudo_pick(p, s(p), lam, mu, offsets) for p in test_on],
                )
        if "bag" in variants:
            ridge = fs._scaled(fs._fit(fit_on, "f", 1.0, True), fit_on)
            rng = np.random.default_rng(5)
            found = []
            for _ in range(4):
                half = [fit_on[i] for i in rng.permutation(len(fit_on))[: len(fit_on) // 2]]
                found.append(fs._search(half, ridge, red).weights)
            bag = fs.Model(np.mean(found, axis=0), ridge.intercept)
            report(
                f"bagged search x4 (red {red})",
                test_on,
                greedy(test_on, bag, red),
            )
        if "fine" in variants:
            fmodel, fred = fine_search(fit_on, model, red)
            report(
                f"base + fine search (red {fred:.2f})",
                test_on,
                greedy(test_on, fmodel, fred),
            )
        if "feats" in variants:
            fit_x, test_x = with_extra(fit_on, extra), with_extra(test_on, extra)
            xmodel, xred = round4(fit_x)
            report(
                f"feats {'+'.join(extra)} (red {xred})",
                test_x,
                greedy(test_x, xmodel, xred),
            )
            names = (*storysum.FEATURES, *extra)
            print(
                "   weights:",
                ", ".join(f"{n} {w:.3f}" for n, w in zip(names, xmodel.weights, strict=True)),
            )
            if "fine" in variants:
                fxm, fxr = fine_search(fit_x, xmodel, xred)
                report(
                    f"feats + fine search (red {fxr:.2f})",
                    test_x,
                    greedy(test_x, fxm, fxr),
                )
        if "listwise" in variants:
            x = np.vstack([p.features for p in fit_on])
            mean, std = x.mean(axis=0), x.std(axis=0)
            std[std == 0] = 1.0
            fit_s, test_s = subsets(fit_on, mean, std), subsets(test_on, mean, std)
            start = np.append(model.weights * std, -red) * 10
            for mix in (0.0, 0.5):
                reward = fit_s.r1 + mix * fit_s.r2
                # alpha chosen by an inner two-fold split of the fitting half
                inner = [fit_on[0::2], fit_on[1::2]]
                inner_s = [subsets(h, mean, std) for h in inner]

                alpha = max(
                    (1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2),
                    key=lambda al: inner_value(inner, inner_s, mix, al, start),
                )
                theta = fit_listwise(fit_s, reward, alpha, start)
                picks = argmax_picks(test_s, theta)
                report(f"listwise R1+{mix}R2 exact (alpha {alpha})", test_on, picks)
                w = theta[:-1] / std
                lm = fs.Model(w, 0.0)
                report(
                    f"listwise R1+{mix}R2 greedy MMR (red {-theta[-1]:.2f})",
                    test_on,
                    greedy(test_on, lm, -theta[-1]),
                )
                print(
                    "   theta:",
                    ", ".join(
                        f"{n} {v:.2f}"
                        for n, v in zip((*storysum.FEATURES, "pair"), theta, strict=True)
                    ),
                )
        print(f"  ({time.perf_counter() - t0:.0f}s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
