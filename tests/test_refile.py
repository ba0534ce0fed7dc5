"""Articles whose text changes are placed in stories again (``precis reextract``).

Two unrelated reports that share a long site footer of rare words are grouped by it;
once a boilerplate rule removes the footer and ``precis reextract`` runs, they part, and
the story index (postings, document frequencies, LSH buckets, density totals) is what
rebuilding it from the stored texts gives.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from precis.cluster import density
from precis.cluster.assign import article_keys
from precis.cluster.features import features
from precis.config import Settings
from precis.pipeline import ingest, reextract, remove
from precis.store import Store
from precis.store.schema import story_articles, story_df, story_lsh, story_postings
from precis.store.stories import StoryStore
from precis.store.storyindex import density_totals

FOOTER = (
    "Kellport Gazette subscribers receive quintessa marvolia flendish cromulent wibbleton "
    "splendora quixotic gambrel offers from Dunmore Works, Penwick Orchards and the "
    "Zorblax Trust every week.\n"
    "Kellport Gazette subscribers receive quintessa marvolia flendish cromulent wibbleton "
    "splendora quixotic gambrel offers each month with Quorvane, Halvetti and Brimsworth.\n"
)
BRIDGE = (
    "Harbour bridge reopens after repairs\n\n"
    "The harbour bridge in Kellport reopened on Monday after six weeks of repairs to its "
    "steel cables, the city council said.\n"
    "Traffic was light in the morning, and engineers inspected the cables before noon.\n"
    "The council said the repairs cost 4.2 million and came from the maintenance reserve.\n"
)
ORCHARD = (
    "Orchard festival draws record crowd\n\n"
    "The orchard festival in Penwick drew a record crowd of 12,000 visitors on Saturday, "
    "organisers said.\n"
    "Growers sold apples, pears and cider from more than 80 stalls along the river path.\n"
    "Organisers said next year's festival would move to a larger field north of the town.\n"
)
RULE = '[[rule]]\nname = "gazette-footer"\npattern = "kellport gazette subscribers.*"\n'


def _stored(tmp_path: Path, settings: Settings, store: Store, samples: Path) -> dict[str, int]:
    """The sample corpus (so that the footer's words are rare), the two reports with the
    footer, and a wire copy of the bridge report."""
    ingest(store, [str(samples)], settings)
    paths = {}
    for name, text in {"bridge": BRIDGE, "orchard": ORCHARD}.items():
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_text(text + FOOTER, encoding="utf-8")
    paths["copy"] = tmp_path / "copy.txt"
    paths["copy"].write_text(BRIDGE + "(Wire copy.)\n" + FOOTER, encoding="utf-8")
    ids = {}
    for name, path in paths.items():
        (added,) = ingest(store, [str(path)], settings).added
        ids[name] = added[1].id
    return ids


def _reextract_without_footer(
    tmp_path: Path, settings: Settings, store: Store
) -> list[tuple[int, str]]:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULE, encoding="utf-8")
    with_rule = Settings.load({}, database_url=settings.database_url, boilerplate_rules=rules)
    return [(o.id, o.state) for o in reextract(store, with_rule) if o.state != "unchanged"]


def _index(store: Store) -> dict[str, Any]:
    """The LSH buckets and the document frequencies (a key no filed article has counts
    0), which rebuilding the index from the stored texts reproduces exactly."""
    with store.engine.connect() as conn:
        return {
            "lsh": sorted(conn.execute(sa.select(story_lsh)).all()),
            "df": {
                key: df
                for key, df in conn.execute(sa.select(story_df.c.key, story_df.c.df)).all()
                if df
            },
        }


def _posted(store: Store, article_id: int) -> set[str]:
    with store.engine.connect() as conn:
        query = sa.select(story_postings.c.key).where(story_postings.c.article_id == article_id)
        return set(conn.execute(query).scalars())


def test_reextract_parts_articles_grouped_by_removed_text_and_keeps_the_index_exact(
    tmp_path: Path, settings: Settings, store: Store, samples: Path
) -> None:
    ids = _stored(tmp_path, settings, store, samples)
    stories = StoryStore(store)
    bridge = stories.story_of(ids["bridge"])
    assert stories.story_of(ids["orchard"]) == bridge  # grouped by the footer alone
    assert stories.story_of(ids["copy"]) == bridge

    changed = _reextract_without_footer(tmp_path, settings, store)

    assert sorted(changed) == sorted((i, "changed") for i in ids.values())
    assert stories.story_of(ids["orchard"]) != stories.story_of(ids["bridge"])
    # the wire copy stays with the bridge report: one of the two is the other's copy
    # (which one is the canonical order's choice, as in a batch run)
    view = stories.get(stories.story_of(ids["bridge"]))
    pair = {a.id: a.duplicate_of for a in view.articles}
    assert pair in (
        {ids["bridge"]: None, ids["copy"]: ids["bridge"]},
        {ids["bridge"]: ids["copy"], ids["copy"]: None},
    )
    # the index is what rebuilding it from the stored texts gives; each article is
    # posted under keys of its text of now (which of them depends on when it was filed)
    posted = {name: _posted(store, article_id) for name, article_id in ids.items()}
    assert posted["orchard"]
    assert posted["bridge"] or posted["copy"]  # the one of the two that is the original
    for name, article_id in ids.items():
        stored = store.get(article_id)
        assert posted[name] <= set(article_keys(features(stored.title, stored.text)))
    refiled = _index(store)
    stories.rebuild_index()
    assert refiled == _index(store)
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(story_articles.c.partners).where(story_articles.c.duplicate_of.is_(None))
        ).all()
        total, count = density_totals(conn)
    kept = [r.partners for r in rows if r.partners is not None]
    assert count == len(kept)
    assert total == pytest.approx(math.fsum(density.density(p.values()) for p in kept))


def test_reextract_leaves_a_pinned_article_where_the_user_put_it(
    tmp_path: Path, settings: Settings, store: Store, samples: Path
) -> None:
    ids = _stored(tmp_path, settings, store, samples)
    stories = StoryStore(store)
    together = stories.story_of(ids["bridge"])
    other = next(s.id for s in stories.list(limit=50) if s.id != together)
    stories.move(ids["orchard"], other)

    assert (ids["orchard"], "changed") in _reextract_without_footer(tmp_path, settings, store)

    assert stories.story_of(ids["orchard"]) == other
    assert ids["orchard"] in {a.id for a in stories.get(other).articles}


def test_rm_of_an_original_places_its_copy_again(
    tmp_path: Path, settings: Settings, store: Store, samples: Path
) -> None:
    """Deleting the original of a wire copy: the copy becomes the story's original (it
    was left a "copy" of nothing, in a story with no independent source), and the story
    index loses what the deleted article added (equal to a rebuild's)."""
    ids = _stored(tmp_path, settings, store, samples)
    stories = StoryStore(store)
    view = stories.get(stories.story_of(ids["bridge"]))
    original = next(
        a.id
        for a in view.articles
        if a.id in (ids["bridge"], ids["copy"]) and a.duplicate_of is None
    )
    copy = ids["copy"] if original == ids["bridge"] else ids["bridge"]

    remove(store, settings, original)

    view = stories.get(stories.story_of(copy))
    placed = next(a for a in view.articles if a.id == copy)
    assert placed.duplicate_of is None
    assert len(view.sources) >= 1  # independent sources: an original is there again
    refiled = _index(store)
    stories.rebuild_index()
    assert refiled == _index(store)
