"""Average-linkage grouping over a sparse graph (``precis.cluster.linkage``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from precis.cluster.linkage import Fixed, Group, agglomerate

# A and B share nothing; C is as close to each (0.7071). Once C joins A, the average
# linkage between {A, C} and {B} is (0 + 0.7071) / 2 = 0.354: a bridge.
BRIDGE = {
    "A": {"C": 0.7071},
    "B": {"C": 0.7071},
    "C": {"A": 0.7071, "B": 0.7071},
}


def test_an_article_that_bridges_two_groups_joins_them_above_the_threshold() -> None:
    assert agglomerate(["A", "B", "C"], BRIDGE, 0.3) == [Group(("A", "B", "C"))]
    # At 0.4 the bridge is too weak: C joins the earlier of its equal neighbours only.
    assert agglomerate(["A", "B", "C"], BRIDGE, 0.4) == [Group(("A", "C")), Group(("B",))]


def test_nothing_is_grouped_below_the_threshold() -> None:
    edges = {"A": {"B": 0.2}, "B": {"A": 0.2}}
    assert agglomerate(["A", "B"], edges, 0.3) == [Group(("A",)), Group(("B",))]


def test_fixed_groups_take_articles_in_but_never_merge_with_each_other() -> None:
    # A and B belong to stories S and T that must stay as they are; C is free.
    fixed = {"A": Fixed("S", 1), "B": Fixed("T", 1)}
    groups = agglomerate(["C"], BRIDGE, 0.3, fixed)
    assert groups == [Group(("C",), "S")]  # ties go to the first fixed story by name


def test_a_fixed_group_counts_all_its_members_in_the_average() -> None:
    # C scores 0.5 with A, one of S's 4 members (the others unscored, so 0): 0.5 / 4.
    edges = {"C": {"A": 0.5}, "A": {"C": 0.5}}
    assert agglomerate(["C"], edges, 0.2, {"A": Fixed("S", 4)}) == [Group(("C",))]
    assert agglomerate(["C"], edges, 0.1, {"A": Fixed("S", 4)}) == [Group(("C",), "S")]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[str], dict[str, dict[str, float]]]:
    nodes = [f"n{i}" for i in range(draw(st.integers(1, 9)))]
    edges: dict[str, dict[str, float]] = {n: {} for n in nodes}
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            score = draw(st.sampled_from([0.0, 0.1, 0.25, 0.4, 0.55, 0.8]))
            if score:
                edges[a][b] = edges[b][a] = score
    return nodes, edges


@given(graphs(), st.sampled_from([0.2, 0.3, 0.5]))
def test_groups_partition_the_nodes_and_every_merge_reached_the_threshold(
    graph: tuple[list[str], dict[str, dict[str, float]]], threshold: float
) -> None:
    nodes, edges = graph
    groups = agglomerate(nodes, edges, threshold)
    assert sorted(n for g in groups for n in g.members) == sorted(nodes)
    # No two final groups could still be merged: their average linkage is below it (up
    # to float rounding: the sums here run in another order than the algorithm's).
    for i, g in enumerate(groups):
        for h in groups[i + 1 :]:
            total = sum(edges[a].get(b, 0.0) for a in g.members for b in h.members)
            assert total / (len(g.members) * len(h.members)) < threshold + 1e-9


@pytest.mark.parametrize("threshold", [0.2, 0.5])
def test_the_result_does_not_depend_on_how_the_edges_were_listed(threshold: float) -> None:
    edges = {"A": {"B": 0.6, "C": 0.3}, "B": {"A": 0.6, "C": 0.25}, "C": {"A": 0.3, "B": 0.25}}
    backwards = {k: dict(reversed(list(v.items()))) for k, v in reversed(list(edges.items()))}
    order = ["A", "B", "C"]
    assert agglomerate(order, edges, threshold) == agglomerate(order, backwards, threshold)
