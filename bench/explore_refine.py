"""Exploration (not run by ``bench.run``): does a global refinement over precis's own pair
scores beat its incremental greedy pass?

``PYTHONPATH=src python -m bench.explore_refine VARIANT[,VARIANT...] T:M[:MARGIN][,...]``
scores each variant at assign threshold T, merge threshold M and move margin MARGIN
(default 0) on TRAINING data only, exactly as ``bench.tune_clustering`` does (NeuS train
split in eight chunks, ECB+ train topics, B-cubed F1, mean of the two). Variants:

* ``precis``: ``precis.cluster.cluster`` as it is, at T. (Until precis adopted
  ``agglo``, this variant was ``greedy``: the one-pass assignment with its bridge-merge
  step at T:M. The ``greedy`` rows in docs/benchmarks.md were run at commit fa9ea74;
  the ``greedy+...`` variants need that commit.)
* ``agglo``: agglomerative average linkage from singletons over the sparse candidate
  graph of precis pair scores (pairs not scored count as 0), merging the best pair while
  its average linkage reaches T (M unused).
* ``agglo2``: ``agglo`` at T, then again at M on the resulting stories (two thresholds).
* ``chunkSIZE``: articles arrive SIZE at a time in canonical order; each arrival is
  agglomerated at T with the stories already formed, knowing only the pairs that involve
  an arriving article (what a store scoring an arriving batch knows); ``chunkfullSIZE``
  knows every pair among the articles present.
* ``rechunkSIZE``: as ``chunk``, but each arrival re-clusters from singletons the
  arriving articles together with all members of the stories they touch (for each
  arriving article the ``REGION_STORIES`` stories it has the most summed score with,
  those of at most ``REGION_SIZE`` members), knowing the candidate pairs among them.
* ``greedy+merge``: the greedy result, then agglomerative merging of its stories while
  the best average linkage reaches M.
* ``greedy+moves`` / ``agglo+moves``: then local moves to a fixed point: each article
  (canonical order) moves to the story where its average pair score is highest if that
  reaches T and beats its own story's average without it by MARGIN, or leaves to a new
  singleton when its own story's average falls below T - MARGIN; then stories are merged
  while average linkage reaches M; repeated until nothing changes (at most
  ``MAX_ROUNDS``).
* ``greedy+cc`` / ``agglo+cc``: the same local moves, judged by correlation clustering
  gain instead of the average: moving article a to story S gains
  sum over S of (score - T) minus the same over its own story (a singleton gains 0).

The candidate graph: every original article (copies follow their original, as in
``cluster``) is scored against at most ``MAX_CANDIDATES`` others sharing most of its
index keys (``index_keys``), in both directions, with batch-wide document frequencies
(the greedy pass scores each article against its top candidates among earlier ones). Results are in
docs/benchmarks.md ("## Stories", "Clustering quality"); precis itself is not changed.
"""

from __future__ import annotations

import heapq
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.bench_clustering import bcubed
from bench.tune_clustering import Pools, training_pools
from precis.cluster import ArticleInput, cluster, dedup
from precis.cluster.assign import (
    WINDOW_DAYS,
    Params,
    article_keys,
    candidate_edges,
    canonical_key,
    index_keys,
    weigh,
)
from precis.cluster.features import features

MAX_ROUNDS = 20  # local-move rounds before giving up on a fixed point
REGION_STORIES = 6  # ``rechunk``: stories re-clustered per arriving article
REGION_SIZE = 30  # ``rechunk``: stories bigger than this are left as they are
REGIONS: list[int] = []  # ``rechunk``: articles re-clustered per arrival (for the report)


@dataclass(frozen=True, slots=True)
class Graph:
    order: list[str]  # originals in canonical order
    rank: dict[str, int]
    edges: dict[str, dict[str, float]]  # symmetric sparse pair scores
    copies: dict[str, str]


def build_graph(articles: Sequence[ArticleInput]) -> Graph:
    ordered = sorted(articles, key=canonical_key)
    docs = [dedup.Doc(a.id, canonical_key(a), dedup.copy_text(a.title, a.text)) for a in ordered]
    copies = dedup.find_copies(docs, dedup.CONTAINMENT)
    originals = [a for a in ordered if a.id not in copies]
    keyed = {a.id: article_keys(features(a.title, a.text)) for a in originals}
    df: dict[str, int] = defaultdict(int)
    for keys in keyed.values():
        for key in keys:
            df[key] += 1
    n = max(len(originals), 1)
    weights = {i: weigh(k, n, df) for i, k in keyed.items()}
    filed = {i: index_keys(w, df) for i, w in weights.items()}
    order = [a.id for a in originals]
    # precis's own candidate graph (no dates here, so no window applies)
    edges = candidate_edges(order, weights, filed, dict.fromkeys(order), WINDOW_DAYS)
    return Graph(order, {i: r for r, i in enumerate(order)}, edges, copies)


def agglomerate(
    graph: Graph,
    start: Mapping[str, str],
    threshold: float,
    new: frozenset[str] | None = None,
) -> dict[str, str]:
    """Average-linkage merging of the stories in ``start`` (article -> story, over the
    articles present) while the best average linkage reaches ``threshold``. A story is
    named by its earliest article. With ``new``, only pairs with a new article are
    known (the others count as 0), as in a store that scores an arriving batch only."""
    members: dict[str, list[str]] = defaultdict(list)
    for a in graph.order:
        if a in start:
            members[start[a]].append(a)
    name = {s: m[0] for s, m in members.items()}
    groups = {name[s]: m for s, m in members.items()}
    story = {a: name[s] for a, s in start.items()}
    links: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for a, row in graph.edges.items():
        if a not in story:
            continue
        for b, score in row.items():
            if b not in story or (new is not None and a not in new and b not in new):
                continue
            if story[a] != story[b] and graph.rank[a] < graph.rank[b]:
                links[story[a]][story[b]] += score
                links[story[b]][story[a]] += score
    heap: list[tuple[float, int, int, str, str]] = []

    def push(s: str, t: str) -> None:
        avg = links[s][t] / (len(groups[s]) * len(groups[t]))
        if avg >= threshold:
            x, y = sorted((s, t), key=graph.rank.__getitem__)
            heapq.heappush(heap, (-avg, graph.rank[x], graph.rank[y], x, y))

    for s in links:
        for t in links[s]:
            if graph.rank[s] < graph.rank[t]:
                push(s, t)
    while heap:
        neg, _, _, x, y = heapq.heappop(heap)
        if x not in groups or y not in groups:
            continue
        avg = links[x][y] / (len(groups[x]) * len(groups[y]))
        if abs(avg + neg) > 1e-12:
            continue  # stale entry: sizes or links changed since it was pushed
        groups[x].extend(groups.pop(y))
        for a in groups[x]:
            story[a] = x
        row_y = links.pop(y)
        for t, w in row_y.items():
            if t == x:
                continue
            links[x][t] += w
            links[t][x] += w
            del links[t][y]
        links[x].pop(y, None)
        for t in links[x]:
            push(x, t)
    return story


def moves(
    graph: Graph, start: Mapping[str, str], t: float, m: float, margin: float, cc: bool
) -> dict[str, str]:
    story = dict(start)
    for _ in range(MAX_ROUNDS):
        changed = False
        groups: dict[str, set[str]] = defaultdict(set)
        for a in graph.order:
            groups[story[a]].add(a)
        for a in graph.order:
            own = story[a]
            sums: dict[str, float] = defaultdict(float)
            for b, score in graph.edges.get(a, {}).items():
                sums[story[b]] += score
            rest = len(groups[own]) - 1

            current = _value(sums, own, rest, t, cc) if rest else 0.0
            best = current if rest or cc else float("-inf")
            target = own
            for s in sorted(sums):
                if s == own:
                    continue
                v = _value(sums, s, len(groups[s]), t, cc)
                if (cc or v >= t) and v > best + margin:
                    best, target = v, s
            poor = current < -margin if cc else current < t - margin
            if target == own and rest and poor:
                target = "~" + a  # leaves to a new singleton (a fresh name)
            if target != own:
                groups[own].discard(a)
                groups[target].add(a)
                story[a] = target
                changed = True
        merged = agglomerate(graph, story, m)
        if merged != story:
            # renames alone do not count as a change
            before = {frozenset(g) for g in _groups(story).values()}
            after = {frozenset(g) for g in _groups(merged).values()}
            changed = changed or before != after
        story = merged
        if not changed:
            break
    return story


def _value(sums: Mapping[str, float], story: str, size: int, t: float, cc: bool) -> float:
    """How well an article fits ``story`` (``size`` members besides it): correlation
    clustering gain (sum of score - t), or its average pair score."""
    if cc:
        return sums.get(story, 0.0) - t * size
    return sums.get(story, 0.0) / size if size else 0.0


def _groups(story: Mapping[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for a, s in story.items():
        out[s].add(a)
    return out


def labels(
    variant: str, articles: Sequence[ArticleInput], graph: Graph, t: float, m: float, margin: float
) -> list[str]:
    base, _, post = variant.partition("+")
    if base.startswith("rechunk"):
        # As ``chunk``, but each arrival re-clusters from singletons its neighbourhood:
        # the arriving articles and every member of the stories they touch (the
        # REGION_STORIES with the most summed score per arriving article, each of at
        # most REGION_SIZE members), knowing every candidate pair among them.
        size = int(base[7:])
        story: dict[str, str] = {}
        for i in range(0, len(graph.order), size):
            arriving = graph.order[i : i + size]
            groups = _groups(story)
            region = set(arriving)
            for a in arriving:
                sums: dict[str, float] = defaultdict(float)
                for b, score in graph.edges.get(a, {}).items():
                    if b in story:
                        sums[story[b]] += score
                top = sorted(sums, key=lambda s: (-sums[s], s))[:REGION_STORIES]
                for s in top:
                    if len(groups[s]) <= REGION_SIZE:
                        region |= groups[s]
            REGIONS.append(len(region))
            fresh = agglomerate(graph, {a: a for a in region}, t)
            story.update({a: "r" + fresh[a] for a in region})
            story = {a: s for a, s in story.items()}  # region stories get fresh names
    elif base.startswith("chunk"):
        # Articles arrive in canonical order, SIZE at a time; each arrival is merged
        # with the stories already there, knowing only pairs with an arriving article.
        full = base.startswith("chunkfull")
        size = int(base[9:] if full else base[5:])
        story = {}
        for i in range(0, len(graph.order), size):
            arriving = graph.order[i : i + size]
            story.update({a: a for a in arriving})
            story = agglomerate(graph, story, t, None if full else frozenset(arriving))
    elif base == "precis":
        assigned = {a.id: a.story for a in cluster(articles, Params(threshold=t))}
        story = {a: assigned[a] for a in graph.order}
    elif base in ("agglo", "agglo2"):
        story = agglomerate(graph, {a: a for a in graph.order}, t)
        if base == "agglo2":
            story = agglomerate(graph, story, m)
    else:
        raise SystemExit(f"unknown variant {base!r} (greedy needs commit fa9ea74)")
    if post == "merge":
        story = agglomerate(graph, story, m)
    elif post in ("moves", "cc"):
        story = moves(graph, story, t, m, margin, post == "cc")
    everyone = dict(story)
    for copy, original in graph.copies.items():
        everyone[copy] = story[original]
    return [everyone[a.id] for a in articles]


def main(argv: list[str]) -> int:
    pools: Pools = training_pools()
    chunks, ecb_pool = pools
    sets = [*chunks, ecb_pool]
    start = time.perf_counter()
    graphs = [build_graph(docs) for docs, _ in sets]
    print(f"graphs built ({time.perf_counter() - start:.0f}s)", flush=True)
    for variant in argv[0].split(","):
        for setting in argv[1].split(","):
            fields = [float(x) for x in setting.split(":")]
            t, m = fields[0], fields[1]
            margin = fields[2] if len(fields) > 2 else 0.0
            start = time.perf_counter()
            f1 = [
                bcubed(labels(variant, docs, g, t, m, margin), gold)["b3_f1"]
                for (docs, gold), g in zip(sets, graphs, strict=True)
            ]
            neus_f1, ecb_f1 = f1[:-1], f1[-1]
            regions = ""
            if REGIONS:
                regions = f" region mean {sum(REGIONS) / len(REGIONS):.1f} max {max(REGIONS)}"
                REGIONS.clear()
            mean = sum(neus_f1) / len(neus_f1)
            print(
                f"| {variant} | {setting} | {mean:.4f} | {ecb_f1:.4f} | "
                f"{(mean + ecb_f1) / 2:.4f} | ({time.perf_counter() - start:.0f}s{regions})",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
