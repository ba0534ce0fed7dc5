"""Filing stories in bulk: the stories of a batch run, stories moved between databases,
and rebuilding the story index.

Assignment (``precis.store.stories``) files one article at a time as it arrives; these
paths file many at once, and weigh them the way assignment weighs a batch: the document
frequencies of all the articles are counted first (stored frequencies read once for all
their keys), so every article is weighed with those of the store plus the whole set, as
``precis.cluster.cluster`` weighs its input.
"""

from __future__ import annotations

import builtins
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.cluster import dedup, density
from precis.cluster.assign import Params, article_keys, index_keys, weigh
from precis.cluster.features import features
from precis.store.db import Store
from precis.store.schema import (
    articles,
    story_articles,
    story_df,
    story_lsh,
    story_postings,
)
from precis.store.storyindex import (
    CHUNK,
    DOC_COUNT_KEY,
    DbIndex,
    add_density_totals,
    chunks,
    count_keys,
    new_story,
    stored_weights,
)
from precis.store.templates import SiteTemplates, story_text


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A story as it travels between databases: members named by content hash.

    Members are dicts with ``content_hash``, ``duplicate_of`` (a content hash or None),
    ``pinned``, ``score``, ``explanation`` and, for an original, optionally ``partners``
    (its best pair scores by content hash, ``precis.cluster.density.top_partners``)."""

    members: list[dict[str, Any]]
    corrected: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None


def _json(value: Any) -> Any:
    """A JSON column as a batch table gives it (text) or an export does (parsed)."""
    return json.loads(value) if isinstance(value, str) else value


def _partner_ids(
    partners: dict[str, float] | None, found: dict[str, tuple[int, datetime | None]]
) -> dict[str, float] | None:
    """Partners by content hash as partners by article id (how a member row keeps
    them); None when there are none or one of them is not stored."""
    if partners is None or any(h not in found for h in partners):
        return None
    return {str(found[h][0]): float(score) for h, score in partners.items()}


@dataclass(frozen=True, slots=True)
class StoryLoader:
    """Bulk writes of stories and their index, on one store; ``params``: the grouping
    settings (the site template rule decides what the index keys leave out)."""

    store: Store
    params: Params = field(default_factory=Params)

    def load_batch(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert the stories of a batch run (``story_articles`` rows: content_hash, story,
        duplicate_of, score, explanation and partners as JSON text; tables written before
        partners were have none); returns the stories created."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            member = {
                "content_hash": row["content_hash"],
                "duplicate_of": row.get("duplicate_of"),
                "pinned": False,
                "score": float(row.get("score") or 0.0),
                "explanation": _json(row.get("explanation")) or {},
                "partners": _json(row.get("partners")),
            }
            grouped.setdefault(row["story"], []).append(member)
        return self.insert_records([StoryRecord(members) for members in grouped.values()])

    def insert_records(self, records: Sequence[StoryRecord], conn: Connection | None = None) -> int:
        """Insert stories whose articles are stored and have no story yet (others are
        skipped, so inserting twice is a no-op), then index their original articles.
        Members' partners are kept (by article id) with the density totals they add;
        a member with a partner that is not stored keeps none (it counts as having the
        mean density, as a member filed before partners were kept). Every member's
        paragraphs are filed under its site (``precis.store.templates``) before the
        originals are indexed, so their keys leave out their sites' templates as the
        batch's did. Returns the number of stories created."""
        if conn is None:
            with self.store.serialised() as own:
                return self.insert_records(records, own)
        hashes = {m["content_hash"] for r in records for m in r.members}
        hashes |= {m["duplicate_of"] for r in records for m in r.members if m["duplicate_of"]}
        hashes |= {h for r in records for m in r.members for h in m.get("partners") or ()}
        created = 0
        densities: builtins.list[float] = []
        found = self._by_hash(conn, sorted(hashes))
        placed = self._placed(conn, [v[0] for v in found.values()])
        originals: builtins.list[int] = []
        filed: builtins.list[int] = []
        now = datetime.now(UTC)
        for record in records:
            members = [
                m
                for m in record.members
                if m["content_hash"] in found and found[m["content_hash"]][0] not in placed
            ]
            if not members:
                continue
            story_id = new_story(
                conn,
                now,
                corrected=record.corrected,
                created=record.created_at,
                updated=record.updated_at,
            )
            created += 1
            values = []
            for m in members:
                article_id, published = found[m["content_hash"]]
                original = found.get(m["duplicate_of"]) if m["duplicate_of"] else None
                partners = None if original else _partner_ids(m.get("partners"), found)
                if partners is not None:
                    densities.append(density.density(partners.values()))
                values.append(
                    {
                        "article_id": article_id,
                        "story_id": story_id,
                        "duplicate_of": original[0] if original else None,
                        "pinned": bool(m.get("pinned")),
                        "score": float(m.get("score") or 0.0),
                        "explanation": m.get("explanation") or {},
                        "weights": {},
                        "published": published,
                        "partners": partners,
                    }
                )
                if original is None:
                    originals.append(article_id)
            conn.execute(sa.insert(story_articles), values)
            filed += [found[m["content_hash"]][0] for m in members]
        SiteTemplates(conn, self.params.template_titles).file_many(filed)
        self.index(conn, originals)
        add_density_totals(self.store, conn, math.fsum(densities), len(densities))
        return created

    def _by_hash(
        self, conn: Connection, hashes: builtins.list[str]
    ) -> dict[str, tuple[int, datetime | None]]:
        found: dict[str, tuple[int, datetime | None]] = {}
        for chunk in chunks(hashes):
            rows = conn.execute(
                sa.select(articles.c.content_hash, articles.c.id, articles.c.published).where(
                    articles.c.content_hash.in_(chunk)
                )
            )
            found.update({r.content_hash: (int(r.id), r.published) for r in rows})
        return found

    def _placed(self, conn: Connection, ids: builtins.list[int]) -> set[int]:
        placed: set[int] = set()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = conn.execute(
                sa.select(story_articles.c.article_id).where(story_articles.c.article_id.in_(chunk))
            )
            placed.update(int(a) for a in rows.scalars())
        return placed

    def index(self, conn: Connection, article_ids: Sequence[int]) -> None:
        """File original articles that are in a story but not yet in the index: document
        frequencies, posting lists, LSH buckets, their weights and key counts. Two passes: the
        frequencies of all of them are counted first, so every article is weighed with
        the same frequencies (those of the store plus all of ``article_ids``), as
        ``assign`` and ``precis.cluster.cluster`` weigh a batch."""
        counts: Counter[str] = Counter()
        for chunk in self._keyed(conn, article_ids):
            for _, _, keys in chunk:
                counts.update(list(keys))
                counts[DOC_COUNT_KEY] += 1
        # The stored frequencies, read once for every key (not once per article): each
        # article's df is then stored + counts, what the index holds after the upsert.
        stored = DbIndex(conn, Counter()).df(list(counts))
        count_keys(self.store, conn, counts)
        n_docs = max(stored.get(DOC_COUNT_KEY, 0) + counts[DOC_COUNT_KEY], 1)
        for chunk in self._keyed(conn, article_ids):
            postings, buckets, counted = [], [], []
            for article_id, text, keys in chunk:
                df = {k: stored[k] + counts[k] for k in keys}
                weighted = weigh(keys, n_docs, df)
                postings += [{"key": k, "article_id": article_id} for k in index_keys(weighted, df)]
                buckets += [
                    {"bucket": b, "article_id": article_id}
                    for b in dedup.band_keys(dedup.shingles(text))
                ]
                counted.append(
                    {
                        "aid": article_id,
                        "k": keys,
                        "w": stored_weights(weighted),
                    }
                )
            if postings:
                conn.execute(self.store._insert(story_postings).on_conflict_do_nothing(), postings)
            if buckets:
                conn.execute(self.store._insert(story_lsh).on_conflict_do_nothing(), buckets)
            if counted:
                conn.execute(
                    sa.update(story_articles)
                    .where(story_articles.c.article_id == sa.bindparam("aid"))
                    .values(
                        key_counts=sa.bindparam("k"), weights=sa.bindparam("w"), weighed_docs=n_docs
                    ),
                    counted,
                )

    def _keyed(
        self, conn: Connection, article_ids: Sequence[int]
    ) -> Iterator[builtins.list[tuple[int, str, dict[str, float]]]]:
        """(id, title and text, keys) of the articles, a chunk at a time (bounded memory);
        the keys leave out each article's site template, as assignment's do."""
        for start in range(0, len(article_ids), CHUNK):
            rows = conn.execute(
                sa.select(articles.c.id, articles.c.title, articles.c.text).where(
                    articles.c.id.in_(list(article_ids[start : start + CHUNK]))
                )
            ).all()
            template = SiteTemplates(conn, self.params.template_titles).template_of(
                [int(r.id) for r in rows]
            )
            yield [
                (
                    int(r.id),
                    r.title + "\n" + r.text,
                    article_keys(features(r.title, story_text(r.text, template.get(int(r.id))))),
                )
                for r in rows
            ]

    def rebuild_index(self) -> int:
        """Recompute the derived index tables (postings, document frequencies, LSH
        buckets, weights, key counts) from the stored articles of every story; returns how many
        articles were indexed. Exports leave these tables out: this rebuilds them."""
        with self.store.serialised() as conn:
            for table in (story_postings, story_lsh, story_df):
                conn.execute(sa.delete(table))
            ids = [
                int(a)
                for a in conn.execute(
                    sa.select(story_articles.c.article_id)
                    .where(story_articles.c.duplicate_of.is_(None))
                    .order_by(story_articles.c.published, story_articles.c.article_id)
                ).scalars()
            ]
            self.index(conn, ids)
        return len(ids)
