"""Average-linkage agglomeration over a sparse graph of pair scores.

Why hand-written: scipy's and scikit-learn's hierarchical clustering take a dense (or
full condensed) distance matrix, quadratic in the number of articles; story clustering
only ever scores each article against its ~100 candidates, and a pair never scored
counts as 0 (unrelated). Stories a user corrected, or too big to re-cluster, also have
to act as fixed groups that can take articles in but never split or merge with each
other, which no library clustering offers.

The loop is the textbook one: repeatedly merge the two groups with the highest average
pair score (sum of the scores between their members / product of their sizes) while
it reaches the threshold. A heap holds the candidate merges; an entry goes stale when
either group changes and is then skipped. Ties break on the groups' positions in the
given order, so the result depends only on the graph and that order. Cost: each merge
touches the merged groups' neighbours, so the whole run is about
O(edges x log(edges)) for news, where groups stay small.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Group:
    """A result group: its free members in the given order, and the fixed group (by
    name) it was merged into, if any."""

    members: tuple[str, ...]
    fixed: str | None = None


@dataclass(frozen=True, slots=True)
class Fixed:
    """A group that takes members in but is never split, nor merged with another fixed
    group: its name, and how many members it has (only some of which may be nodes of
    the graph; the others have no scored pair, so they count as 0 in averages)."""

    name: str
    size: int


def agglomerate(
    order: Sequence[str],
    edges: Mapping[str, Mapping[str, float]],
    threshold: float,
    fixed: Mapping[str, Fixed] | None = None,
) -> list[Group]:
    """Group the nodes ``order`` (each free to move) by average linkage.

    ``edges[a][b]`` is the pair score of ``a`` and ``b`` (symmetric; missing pairs are
    0). ``fixed`` maps graph nodes that are members of a fixed group to that group;
    such nodes are not in ``order``. Returns the groups of free nodes, in the order of
    their first member; free nodes merged into a fixed group are reported with it."""
    fixed = fixed or {}
    rank = {node: i for i, node in enumerate(order)}
    # Groups are numbered: free nodes by their rank, fixed groups after them.
    fixed_names = sorted({f.name for f in fixed.values()})
    fixed_ids = {name: len(order) + i for i, name in enumerate(fixed_names)}
    group_of: dict[str, int] = dict(rank)
    size = [1] * len(order)
    members: list[list[str]] = [[node] for node in order]
    is_fixed = [False] * len(order)
    size += [0] * len(fixed_names)
    members += [[] for _ in fixed_names]
    is_fixed += [True] * len(fixed_names)
    for node, held in fixed.items():
        size[fixed_ids[held.name]] = held.size
        group_of[node] = fixed_ids[held.name]
    version = [0] * len(size)
    links: list[dict[int, float]] = [defaultdict(float) for _ in size]
    for a in order:
        ga = group_of[a]
        for b, score in edges.get(a, {}).items():
            gb = group_of.get(b)
            if gb is None or gb == ga or (b in rank and rank[b] < rank[a]):
                continue  # unknown node, or a free pair counted from its other end
            links[ga][gb] += score
            links[gb][ga] += score
    heap: list[tuple[float, int, int, int, int]] = []

    def push(x: int, y: int) -> None:
        if is_fixed[x] and is_fixed[y]:
            return
        average = links[x][y] / (size[x] * size[y])
        if average >= threshold:
            x, y = min(x, y), max(x, y)
            heapq.heappush(heap, (-average, x, y, version[x], version[y]))

    for x, row in enumerate(links):
        for y in row:
            if x < y:
                push(x, y)
    while heap:
        _, x, y, vx, vy = heapq.heappop(heap)
        if vx != version[x] or vy != version[y]:
            continue  # stale: one of the two groups changed since this was pushed
        # The survivor is the fixed group, else the earlier one (x < y).
        keep, gone = (y, x) if is_fixed[y] else (x, y)
        members[keep] += members[gone]
        members[gone] = []
        size[keep] += size[gone]
        version[keep] += 1
        version[gone] = -1  # never valid again
        for other, score in links[gone].items():
            if other != keep:
                links[keep][other] += score
                links[other][keep] += score
                del links[other][gone]
        links[gone] = {}
        links[keep].pop(gone, None)
        for other in links[keep]:
            push(keep, other)
    name_of = {number: name for name, number in fixed_ids.items()}
    found = []
    for group, nodes in enumerate(members):
        if nodes:
            ordered = tuple(sorted(nodes, key=rank.__getitem__))
            found.append((rank[ordered[0]], Group(ordered, name_of.get(group))))
    return [g for _, g in sorted(found, key=lambda item: item[0])]
