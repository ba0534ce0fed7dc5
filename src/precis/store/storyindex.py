"""The story index in the database: what assignment (``precis.store.storyregroup``) asks
of it.

``DbIndex`` reads the story tables: posting lists over each filed article's distinctive
keys (``story_postings``), document frequencies (``story_df``, with the count of filed
articles under ``DOC_COUNT_KEY``), story sizes and members, and which stories a user
corrected. Bound to one connection, so one assignment reads one consistent state.
Filing articles into it is done by assignment (``precis.store.storyregroup``) and
in bulk by ``StoryLoader`` (``precis.store.storyload``); the two writes they share, a
new story row and the document-frequency upsert, are here.

Stored members are compared with the weights they were filed with while those are
fresh. Weights computed while the store held fewer than ``STALE_BELOW`` articles go
stale once it has grown ``STALE_GROWTH`` times since (``weighed_docs``): the member is
then weighed again from its raw key counts (``story_articles.key_counts``) with the
document frequencies of now, and the new weights and index keys are written back in
the same transaction (``reweighed``, ``write_back``). An article filed while the store
was nearly empty, where every word looked rare, is so compared on the same footing as
one filed later, as batch clustering weighs every article with the frequencies of its
whole input (``bench/bench_arrival.py``), at the cost of one document-frequency read
per stale member, not per member.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.cluster.assign import Member, index_keys, weigh
from precis.store.db import Store
from precis.store.schema import stories, story_articles, story_df, story_postings, story_totals

DOC_COUNT_KEY = "#docs"  # the story_df row that counts indexed (non-copy) articles
CHUNK = 400  # bound parameters per IN (...) query: well under SQLite's limit
# A member's weights are stale once the store holds this many times the articles it was
# weighed with (each member is weighed again a few times while the store is small), and
# never once they were computed with STALE_BELOW articles or more: revisiting a member
# costs about as much as assigning an article, and a store of 100,000 articles filled
# in steps would otherwise revisit all its early members (bench stories_scale).
STALE_GROWTH = 1.5
STALE_BELOW = 1000
MEMBER_COLUMNS = (
    story_articles.c.article_id,
    story_articles.c.story_id,
    story_articles.c.weights,
    story_articles.c.weighed_docs,
    story_articles.c.published,
    story_articles.c.partners,
)
# story_totals rows: the sum and the count of the densities of the members with partners
DENSITY_SUM = "density_sum"
DENSITY_COUNT = "density_count"


class DbIndex:
    """The story tables as assignment reads them (candidates from the posting lists,
    document frequencies, story sizes and members, corrections), bound to one
    connection (one transaction).

    ``unfiled`` counts the keys (and, under ``DOC_COUNT_KEY``, the number) of the
    original articles of the batch being assigned, which are not in the index yet:
    document frequencies are the stored ones plus these,
    so every article of a batch is weighed with the frequencies of the store *and the
    whole batch*, as ``precis.cluster.cluster`` weighs every article with those of its
    whole input. The stored counts only ever cover filed articles, so an interrupted
    assignment leaves them right. Default: just one article, counted once per key."""

    def __init__(self, conn: Connection, unfiled: Counter[str] | None = None) -> None:
        self.conn = conn
        self.unfiled = unfiled
        # What this transaction has read of story_df (plus the unfiled counts): the
        # members of one assignment share most of their keys.
        self._df: dict[str, int] = {}
        # Members weighed again in this transaction, to be written back (``write_back``).
        self.reweighed: dict[int, dict[str, float]] = {}

    def doc_count(self) -> int:
        return self.df([DOC_COUNT_KEY])[DOC_COUNT_KEY]

    def df(self, keys: Iterable[str]) -> dict[str, int]:
        keys = list(keys)
        missing = sorted({k for k in keys if k not in self._df})
        found: dict[str, int] = {}
        for chunk in chunks(missing):
            rows = self.conn.execute(
                sa.select(story_df.c.key, story_df.c.df).where(story_df.c.key.in_(chunk))
            )
            found.update({row.key: int(row.df) for row in rows})
        self._df.update({k: found.get(k, 0) + self._extra(k) for k in missing})
        return {k: self._df[k] for k in keys}

    def weighed(self, rows: Sequence[Any]) -> list[dict[str, float]]:
        """The pair weights of stored members (rows of ``MEMBER_COLUMNS``): those they
        were filed with while fresh, else weighed again from their key counts with the
        document frequencies of now (and remembered in ``reweighed``). A member filed
        before key counts were stored (NULL ``weighed_docs``) keeps its weights. Key
        counts are read only for the stale members: most members are fresh, and reading
        a JSON column costs its parsing."""
        n_docs = max(self.doc_count(), 1)
        stale = [
            int(r.article_id)
            for r in rows
            if int(r.article_id) not in self.reweighed and self.stale(r.weighed_docs, n_docs)
        ]
        counts = self._key_counts(stale)
        self.df(k for keys in counts.values() for k in keys)
        for article_id in sorted(counts):
            self.reweighed[article_id] = weigh(counts[article_id], n_docs, self._df)
        return [
            self.reweighed[int(r.article_id)]
            if int(r.article_id) in self.reweighed
            else dict(r.weights)
            for r in rows
        ]

    def _key_counts(self, article_ids: Sequence[int]) -> dict[int, dict[str, float]]:
        found: dict[int, dict[str, float]] = {}
        for chunk in chunks([str(a) for a in article_ids]):
            rows = self.conn.execute(
                sa.select(story_articles.c.article_id, story_articles.c.key_counts).where(
                    story_articles.c.article_id.in_([int(a) for a in chunk]),
                    story_articles.c.key_counts.is_not(None),
                )
            )
            found.update(
                {int(r.article_id): dict(r.key_counts) for r in rows if r.key_counts is not None}
            )
        return found

    @staticmethod
    def stale(weighed_docs: int | None, n_docs: int) -> bool:
        if weighed_docs is None:  # filed before key counts were kept
            return False
        return weighed_docs < STALE_BELOW and n_docs >= STALE_GROWTH * weighed_docs

    def stalest(self, limit: int) -> list[int]:
        """Up to ``limit`` original articles whose weights are stale, stalest first."""
        bound = min(self.doc_count() / STALE_GROWTH, STALE_BELOW - 1)
        query = (
            sa.select(story_articles.c.article_id)
            .where(story_articles.c.weighed_docs <= bound)
            .order_by(story_articles.c.weighed_docs, story_articles.c.article_id)
            .limit(limit)
        )
        return [int(a) for a in self.conn.execute(query).scalars()]

    def filing(self, weights: Mapping[str, float]) -> list[str]:
        """The index keys a member weighed again in this transaction is filed under now
        (the document frequencies of all its keys were read to weigh it)."""
        return index_keys(weights, self._df)

    def write_back(self, store: Store, n_docs: int) -> None:
        """Store the weights of the members weighed again, with the count they were
        weighed with, and file them under their index keys of now: keys chosen while
        the store was nearly empty are not the ones that find a member's story-mates."""
        if not self.reweighed:
            return
        ids = sorted(self.reweighed)
        conn = self.conn
        conn.execute(
            sa.update(story_articles)
            .where(story_articles.c.article_id == sa.bindparam("aid"))
            .values(weights=sa.bindparam("w"), weighed_docs=n_docs),
            [{"aid": a, "w": stored_weights(self.reweighed[a])} for a in ids],
        )
        for chunk in chunks([str(a) for a in ids]):
            conn.execute(
                sa.delete(story_postings).where(
                    story_postings.c.article_id.in_([int(a) for a in chunk])
                )
            )
        postings = [
            {"key": key, "article_id": a} for a in ids for key in self.filing(self.reweighed[a])
        ]
        if postings:  # another writer may have re-filed the same member meanwhile
            conn.execute(store._insert(story_postings).on_conflict_do_nothing(), postings)

    def _extra(self, key: str) -> int:
        return 1 if self.unfiled is None else self.unfiled[key]

    def candidates(self, keys: Sequence[str], limit: int) -> list[Member]:
        if not keys:
            return []
        shared = sa.func.count().label("shared")
        ranked = (
            sa.select(story_postings.c.article_id, shared)
            .where(story_postings.c.key.in_(list(keys)))
            .group_by(story_postings.c.article_id)
            .order_by(shared.desc(), story_postings.c.article_id)
            .limit(limit)
        ).subquery()
        query = sa.select(*MEMBER_COLUMNS).join(
            ranked, ranked.c.article_id == story_articles.c.article_id
        )
        return self._members(self.conn.execute(query).all())

    def _members(self, rows: Sequence[Any]) -> list[Member]:
        return [
            Member(str(r.article_id), str(r.story_id), weights, r.published, r.partners)
            for r, weights in zip(rows, self.weighed(rows), strict=True)
        ]

    def story_sizes(self, stories: Sequence[str]) -> dict[str, int]:
        """Original (non-copy) articles per story, in one query per chunk."""
        sizes: dict[str, int] = {}
        for chunk in chunks(list(stories)):
            query = (
                sa.select(story_articles.c.story_id, sa.func.count().label("n"))
                .where(
                    story_articles.c.story_id.in_([int(s) for s in chunk]),
                    story_articles.c.duplicate_of.is_(None),
                )
                .group_by(story_articles.c.story_id)
            )
            sizes.update({str(row.story_id): int(row.n) for row in self.conn.execute(query)})
        return sizes

    def members(self, stories: Sequence[str], limit: int) -> dict[str, list[Member]]:
        """Original members of each story with at most ``limit`` of them."""
        sizes = self.story_sizes(stories)
        return self.originals([s for s in stories if 0 < sizes.get(s, 0) <= limit])

    def originals(self, stories: Sequence[str]) -> dict[str, list[Member]]:
        """Original (non-copy) members of each of these stories, by article id."""
        found: dict[str, list[Member]] = {str(s): [] for s in stories}
        for chunk in chunks(list(stories)):
            query = (
                sa.select(*MEMBER_COLUMNS)
                .where(
                    story_articles.c.story_id.in_([int(s) for s in chunk]),
                    story_articles.c.duplicate_of.is_(None),
                )
                .order_by(story_articles.c.article_id)
            )
            for member in self._members(self.conn.execute(query).all()):
                found[member.story].append(member)
        return found

    def by_id(self, article_ids: Sequence[int]) -> list[Member]:
        """These stored articles (those with a story), weighed as the others."""
        found: list[Member] = []
        for chunk in chunks([str(a) for a in article_ids]):
            query = sa.select(*MEMBER_COLUMNS).where(
                story_articles.c.article_id.in_([int(a) for a in chunk])
            )
            found += self._members(self.conn.execute(query).all())
        return found

    def locked(self, ids: Sequence[str]) -> set[str]:
        """Those of these stories a user corrected (one query per ``CHUNK`` ids: a large
        batch touches many stories)."""
        found: set[str] = set()
        for chunk in chunks(list(ids)):
            query = sa.select(stories.c.id).where(
                stories.c.id.in_([int(s) for s in chunk]), stories.c.corrected
            )
            found.update(str(i) for i in self.conn.execute(query).scalars())
        return found


def density_totals(conn: Connection) -> tuple[float, int]:
    """The sum and the count of the stored members' densities."""
    rows = dict(
        conn.execute(
            sa.select(story_totals.c.key, story_totals.c.total).where(
                story_totals.c.key.in_([DENSITY_SUM, DENSITY_COUNT])
            )
        ).all()
    )
    return float(rows.get(DENSITY_SUM, 0.0)), round(rows.get(DENSITY_COUNT, 0.0))


def add_density_totals(store: Store, conn: Connection, total: float, count: int) -> None:
    """Add to the stored sum and count of densities (an upsert, as ``count_keys``)."""
    if not count and not total:
        return
    insert = store._insert(story_totals)
    upsert = insert.on_conflict_do_update(
        index_elements=["key"], set_={"total": story_totals.c.total + insert.excluded.total}
    )
    conn.execute(
        upsert,
        [{"key": DENSITY_COUNT, "total": float(count)}, {"key": DENSITY_SUM, "total": total}],
    )


def stored_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Pair weights as a member row keeps them, to five decimals (the threshold they
    are compared with has two), which keeps the JSON small."""
    return {k: round(v, 5) for k, v in weights.items()}


def chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def new_story(
    conn: Connection,
    now: datetime,
    *,
    corrected: bool,
    created: datetime | None = None,
    updated: datetime | None = None,
) -> int:
    """A new story row; returns its id."""
    result = conn.execute(
        sa.insert(stories),
        {"created_at": created or now, "updated_at": updated or now, "corrected": corrected},
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def drop_if_empty(conn: Connection, story_id: int) -> None:
    """Delete a story row no article is filed under any more."""
    left = conn.execute(
        sa.select(sa.func.count()).where(story_articles.c.story_id == story_id)
    ).scalar_one()
    if left == 0:
        conn.execute(sa.delete(stories).where(stories.c.id == story_id))


def count_keys(store: Store, conn: Connection, counts: Counter[str]) -> None:
    """df += n for every key: one upsert statement run for all rows (executemany, so
    it is compiled once and cached, whatever the number of keys), in key order so
    that concurrent writers on PostgreSQL lock rows in the same order."""
    if not counts:
        return
    insert = store._insert(story_df)
    upsert = insert.on_conflict_do_update(
        index_elements=["key"], set_={"df": story_df.c.df + insert.excluded.df}
    )
    conn.execute(upsert, [{"key": k, "df": counts[k]} for k in sorted(counts)])
