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


def test_scaling_raises_sparse_pairs_lowers_crowded_ones_and_spares_close_partners() -> None:
    mean = 0.3
    edges = {
        "sparse": {"other": 0.2},
        "other": {"sparse": 0.2},
        "dense": {"crowd": 0.5, "mate": 0.5},
        "crowd": {"dense": 0.5},
        "mate": {"dense": 0.5},
    }
    # sparse and other: no partners (density 0); dense and crowd: density 0.6, and crowd
    # is not among dense's best partners; mate: never scored (the mean)
    partners = {
        "sparse": {},
        "other": {},
        "dense": {"mate": 0.9, "x": 0.8, "y": 0.7, "z": 0.6},
        "crowd": {"p": 0.9, "q": 0.8, "r": 0.7, "s": 0.6},
    }
    scaled = density.scale(edges, partners, mean)
    # both floored at FLOOR * mean: raised by 1 / FLOOR
    assert scaled["sparse"]["other"] == pytest.approx(0.2 / density.FLOOR)
    # two crowded articles that are not each other's close partners: lowered
    assert scaled["dense"]["crowd"] == pytest.approx(0.5 * mean / 0.6)
    assert scaled["crowd"]["dense"] == scaled["dense"]["crowd"]
    # a close partner is never lowered, seen from either side
    assert scaled["dense"]["mate"] == scaled["mate"]["dense"] == 0.5
    # a store of a few unrelated articles (mean below MIN_MEAN) is left as it is
    assert density.scale(edges, partners, density.MIN_MEAN / 2) == edges


@given(
    st.dictionaries(
        st.sampled_from("abcdef"),
        st.dictionaries(st.sampled_from("abcdef"), st.floats(0, 1), max_size=6),
        max_size=6,
    ),
)
def test_scaling_is_bounded_and_spares_each_articles_best_partners(
    raw: dict[str, dict[str, float]],
) -> None:
    nodes = set(raw) | {b for row in raw.values() for b in row}
    edges: dict[str, dict[str, float]] = {a: {} for a in nodes}
    for a, row in raw.items():
        for b, score in row.items():
            if a != b:
                edges[a][b] = edges[b][a] = score
    tops = {a: density.top_partners(row) for a, row in edges.items()}
    mean = density.mean_density(density.density(t.values()) for t in tops.values())
    scaled = density.scale(edges, tops, mean)
    for a, row in edges.items():
        for b, score in row.items():
            assert scaled[a][b] == scaled[b][a]
            assert scaled[a][b] <= score / density.FLOOR + 1e-9
            if b in tops[a] or a in tops[b]:
                assert scaled[a][b] >= score


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
