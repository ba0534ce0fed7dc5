"""Local scaling of pair scores (precis.cluster.density) and its upkeep in the store."""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from precis.cluster import density
from precis.store import Store
from precis.store.schema import story_articles
from precis.store.stories import StoryStore
from precis.store.storyindex import density_totals
from test_stories import _ferry, store_and_batch_stories


def test_density_is_the_rank_th_best_score_or_zero() -> None:
    assert density.RANK == 4
    assert density.density([0.9, 0.1, 0.5, 0.3, 0.7]) == 0.3
    assert density.density([0.9, 0.5, 0.7]) == 0.0  # fewer than RANK partners
    assert density.top_partners({"a": 0.2, "b": 0.9, "c": 0.2, "d": 0.5, "e": 0.1}) == {
        "b": 0.9,
        "d": 0.5,
        "a": 0.2,
        "c": 0.2,
    }


def test_scaling_raises_sparse_pairs_at_most_by_one_over_floor_and_never_lowers() -> None:
    edges = {"a": {"b": 0.2, "c": 0.5}, "b": {"a": 0.2}, "c": {"a": 0.5}}
    densities: dict[str, float | None] = {"a": 0.6, "b": 0.0, "c": None}
    mean = 0.3
    scaled = density.scale(edges, densities, mean)
    # b is floored at FLOOR * mean; a is denser than the mean: sqrt(0.6 * 0.15) = 0.3
    assert scaled["a"]["b"] == pytest.approx(0.2 * max(1.0, mean / math.sqrt(0.6 * 0.15)))
    # c's density is unknown: the mean; a is denser, so the pair is not raised
    assert scaled["a"]["c"] == 0.5
    assert scaled["b"]["a"] == scaled["a"]["b"]
    lonely = density.scale({"x": {"y": 0.2}, "y": {"x": 0.2}}, {"x": 0.0, "y": 0.0}, 0.3)
    assert lonely["x"]["y"] == pytest.approx(0.2 / density.FLOOR)
    # a store of a few unrelated articles (mean below MIN_MEAN) is left as it is
    assert density.scale(edges, densities, density.MIN_MEAN / 2) == edges


@given(
    st.dictionaries(
        st.sampled_from("abcdef"),
        st.dictionaries(st.sampled_from("abcdef"), st.floats(0, 1), max_size=6),
        max_size=6,
    ),
    st.floats(0, 1),
)
def test_scaled_scores_are_never_lower(raw: dict[str, dict[str, float]], mean: float) -> None:
    nodes = set(raw) | {b for row in raw.values() for b in row}
    edges = {a: {b: s for b, s in raw.get(a, {}).items()} for a in nodes}
    densities: dict[str, float | None] = {a: density.density(edges[a].values()) for a in nodes}
    scaled = density.scale(edges, densities, mean)
    for a, row in edges.items():
        for b, score in row.items():
            assert score <= scaled[a][b] <= score / density.FLOOR + 1e-12


def test_store_keeps_partners_and_density_totals(store: Store) -> None:
    """Articles added one at a time: each original keeps its best partners, the stored
    totals are the sum and count of their densities, the stories are the batch's, and
    rebuilding the index leaves partners and totals as they were."""
    ids = _ferry(store)
    stories = StoryStore(store)
    for article_id in ids.values():
        stories.assign([article_id])
    in_store, in_batch = store_and_batch_stories(stories, ids)
    assert in_store == in_batch

    def kept() -> tuple[list[dict[str, float]], float, int]:
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(story_articles.c.partners).where(story_articles.c.duplicate_of.is_(None))
            ).all()
            total, count = density_totals(conn)
        return [r.partners for r in rows], total, count

    partners, total, count = kept()
    assert len(partners) == len(ids) == count
    assert all(p is not None and 0 < len(p) <= density.RANK for p in partners)
    assert total == pytest.approx(math.fsum(density.density(p.values()) for p in partners))
    stories.rebuild_index()
    assert kept() == (partners, total, count)
