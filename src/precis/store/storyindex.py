"""The story index in the database: what assignment (``precis.store.storyassign``) asks
of it.

``DbIndex`` reads the story tables: posting lists over each filed article's distinctive
keys (``story_postings``), document frequencies (``story_df``, with the count of filed
articles under ``DOC_COUNT_KEY``), story sizes and members, and which stories a user
corrected. Bound to one connection, so one assignment reads one consistent state.
Filing articles into it is done by ``StoryAssigner`` (``precis.store.storyassign``) and
in bulk by ``StoryLoader`` (``precis.store.storyload``);
the two writes they share, a new story row and the document-frequency upsert, are here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.cluster.assign import Member
from precis.store.db import Store
from precis.store.schema import stories, story_articles, story_df, story_postings

DOC_COUNT_KEY = "#docs"  # the story_df row that counts indexed (non-copy) articles
CHUNK = 400  # bound parameters per IN (...) query: well under SQLite's limit


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

    def doc_count(self) -> int:
        value = self.conn.execute(
            sa.select(story_df.c.df).where(story_df.c.key == DOC_COUNT_KEY)
        ).scalar()
        return int(value or 0) + self._extra(DOC_COUNT_KEY)

    def df(self, keys: Iterable[str]) -> dict[str, int]:
        keys = list(keys)
        found: dict[str, int] = {}
        for chunk in chunks(keys):
            rows = self.conn.execute(
                sa.select(story_df.c.key, story_df.c.df).where(story_df.c.key.in_(chunk))
            )
            found.update({row.key: int(row.df) for row in rows})
        return {k: found.get(k, 0) + self._extra(k) for k in keys}

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
        query = sa.select(
            story_articles.c.article_id,
            story_articles.c.story_id,
            story_articles.c.weights,
            story_articles.c.published,
        ).join(ranked, ranked.c.article_id == story_articles.c.article_id)
        return [
            Member(str(r.article_id), str(r.story_id), r.weights, r.published)
            for r in self.conn.execute(query)
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
                sa.select(
                    story_articles.c.article_id,
                    story_articles.c.story_id,
                    story_articles.c.weights,
                    story_articles.c.published,
                )
                .where(
                    story_articles.c.story_id.in_([int(s) for s in chunk]),
                    story_articles.c.duplicate_of.is_(None),
                )
                .order_by(story_articles.c.article_id)
            )
            for r in self.conn.execute(query):
                found[str(r.story_id)].append(
                    Member(str(r.article_id), str(r.story_id), r.weights, r.published)
                )
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
