"""Assigning new articles to stories in the database.

Each ``assign`` surveys the articles first (canonical order; MinHash LSH + containment
finds copies of stored articles or of earlier articles of the batch), then hands the
originals to ``precis.store.storyregroup``, which groups them by average linkage with the
stored stories they touch and writes the result. Both run in one serialised transaction
(``Store.serialised``); what needs no database (shingles, features) is computed before
the lock is taken.

``refile`` places again articles whose text changed since they were filed (``precis
reextract``): it takes them and their copies out of the index (postings, LSH buckets,
document frequencies, density totals) and assigns them anew, in one transaction, so a
story never rests on the words of a text the store no longer holds. Articles a user put
somewhere (``pinned``) stay there.
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.cluster import dedup, density
from precis.cluster.assign import Params, article_keys
from precis.cluster.features import features
from precis.store.db import Store
from precis.store.schema import articles, story_articles, story_lsh, story_postings
from precis.store.storyindex import (
    CHUNK,
    DOC_COUNT_KEY,
    add_density_totals,
    chunks,
    count_keys,
    drop_if_empty,
)
from precis.store.storyregroup import Pending, Placed, Regrouping
from precis.store.templates import SiteTemplates, story_text

COPY_CANDIDATES = 50  # LSH candidates checked by containment per new article
# What ``_Read`` needs of an article row.
_READ_COLUMNS = (
    articles.c.id,
    articles.c.title,
    articles.c.text,
    articles.c.published,
    articles.c.content_hash,
)
# Which of some articles are still without a story (built once: every assignment asks).
_UNPLACED = (
    sa.select(articles.c.id, articles.c.content_hash)
    .outerjoin(story_articles, story_articles.c.article_id == articles.c.id)
    .where(
        articles.c.id.in_(sa.bindparam("ids", expanding=True)),
        story_articles.c.article_id.is_(None),
    )
)


@dataclass(frozen=True, slots=True)
class _Read:
    """What an article about to be assigned gives without the database's help."""

    article_id: int
    published: datetime | None
    content_hash: str
    shingles: frozenset[str]
    buckets: list[str]
    keys: dict[str, float]

    @classmethod
    def of(cls, row: Any, template: set[str] | None) -> _Read:  # a row of _READ_COLUMNS
        """Copies are found on the whole text; the story keys leave out the paragraphs
        that are its site's template (``precis.store.templates``)."""
        shingle_set = dedup.shingles(row.title + "\n" + row.text)
        return cls(
            int(row.id),
            row.published,
            row.content_hash,
            shingle_set,
            dedup.band_keys(shingle_set),
            article_keys(features(row.title, story_text(row.text, template))),
        )


@dataclass(slots=True)
class StoryAssigner:
    store: Store
    params: Params = field(default_factory=Params)
    containment: float = dedup.CONTAINMENT

    def assign(self, article_ids: Iterable[int] | None = None) -> list[Placed]:
        """Place each given article (default: every article without a story) in a story.

        The articles are visited in canonical order (``pending``) and weighed with the
        document frequencies of the store plus *all* the given articles (see
        ``DbIndex``), so assigning a batch to an empty store gives the stories
        ``precis.cluster.cluster`` gives for the same articles. One serialised
        transaction (``Store.serialised``): an interrupted assignment places nothing, the
        next one places every article, and assignments in other processes run before or
        after this one, never beside it. What needs no database (shingles, features) is
        computed before the lock is taken; articles another process placed meanwhile are
        left to it."""
        among = sorted(set(article_ids)) if article_ids is not None else None
        read = self._read(self.pending(among))
        if not read:
            return []
        with self.store.serialised() as conn:
            batch = self._survey(conn, self._still_pending(conn, read))
            if not batch:
                return []
            return Regrouping(self.store, self.params, conn, batch).run()

    def refile(self, article_ids: Iterable[int]) -> list[Placed]:
        """Take the given articles (and their copies) out of their stories and the index,
        and place them again with their text of now; pinned articles stay where a user
        put them. One serialised transaction: interrupted, it changes nothing."""
        wanted = sorted(set(article_ids))
        if not wanted:
            return []
        with self.store.engine.connect() as conn:
            copies = _copies_of(conn, wanted)
        ordered = sorted(set(wanted) | set(copies))
        read = self._read(sorted(ordered, key=self._order_key(ordered).__getitem__))
        with self.store.serialised() as conn:
            unfile(self.store, conn, [item.article_id for item in read])
            batch = self._survey(conn, self._still_pending(conn, read))
            if not batch:
                return []
            return Regrouping(self.store, self.params, conn, batch).run()

    def pending(self, among: Sequence[int] | None = None) -> list[int]:
        """Articles without a story (of ``among``, if given), in canonical order:
        publication time, then text hash, then id — never arrival order."""
        if among is not None:
            found: list[int] = []
            for start in range(0, len(among), CHUNK):
                found += self._pending(list(among[start : start + CHUNK]))
            return sorted(found, key=self._order_key(found).__getitem__)
        return self._pending(None)

    def _order_key(self, ids: list[int]) -> dict[int, tuple[bool, str, str, int]]:
        keys: dict[int, tuple[bool, str, str, int]] = {}
        with self.store.engine.connect() as conn:
            for start in range(0, len(ids), CHUNK):
                rows = conn.execute(
                    sa.select(articles.c.id, articles.c.published, articles.c.content_hash).where(
                        articles.c.id.in_(ids[start : start + CHUNK])
                    )
                )
                for r in rows:
                    when = r.published.isoformat() if r.published else ""
                    keys[r.id] = (r.published is not None, when, r.content_hash, r.id)
        return keys

    def _pending(self, among: list[int] | None) -> list[int]:
        query = (
            sa.select(articles.c.id)
            .outerjoin(story_articles, story_articles.c.article_id == articles.c.id)
            .where(story_articles.c.article_id.is_(None))
            .where(sa.true() if among is None else articles.c.id.in_(among))
            .order_by(
                articles.c.published.is_(None).desc(),
                articles.c.published,
                articles.c.content_hash,
                articles.c.id,
            )
        )
        with self.store.engine.connect() as conn:
            return [int(r) for r in conn.execute(query).scalars()]

    def _read(self, ordered: builtins.list[int]) -> builtins.list[_Read]:
        """Each article's text, shingles, LSH buckets and index keys, in order."""
        found: builtins.list[_Read] = []
        with self.store.engine.connect() as conn:
            for start in range(0, len(ordered), CHUNK):
                chunk = ordered[start : start + CHUNK]
                rows = {
                    int(r.id): r
                    for r in conn.execute(sa.select(*_READ_COLUMNS).where(articles.c.id.in_(chunk)))
                }
                template = SiteTemplates(conn, self.params.template_titles).template_of(chunk)
                found += (_Read.of(rows[i], template.get(i)) for i in chunk if i in rows)
        return found

    def _still_pending(self, conn: Connection, read: builtins.list[_Read]) -> builtins.list[_Read]:
        """``read`` less the articles placed (or deleted) since, as seen under the lock;
        an article whose text was replaced since is read again."""
        current: dict[int, str] = {}
        for start in range(0, len(read), CHUNK):
            ids = [item.article_id for item in read[start : start + CHUNK]]
            current.update(
                (int(r.id), r.content_hash) for r in conn.execute(_UNPLACED, {"ids": ids})
            )
        still = []
        for item in read:
            digest = current.get(item.article_id)
            if digest is None:
                continue
            if digest != item.content_hash:
                row = conn.execute(
                    sa.select(*_READ_COLUMNS).where(articles.c.id == item.article_id)
                ).one()
                template = SiteTemplates(conn, self.params.template_titles).template_of(
                    [item.article_id]
                )
                item = _Read.of(row, template.get(item.article_id))
            still.append(item)
        return still

    def _survey(self, conn: Connection, read: builtins.list[_Read]) -> builtins.list[Pending]:
        """Copy status of each article about to be assigned, in order. A copy's original
        is an indexed article or an earlier original of the batch (copies are never
        indexed, so they do not count in document frequencies)."""
        found: builtins.list[Pending] = []
        batch_buckets: dict[str, builtins.list[tuple[int, frozenset[str]]]] = {}
        for item in read:
            original = self._original_of(conn, item.shingles, item.buckets)
            if original is None:
                original = self._batch_original(item.shingles, item.buckets, batch_buckets)
            keys: dict[str, float] = {}
            if original is None:
                keys = item.keys
                for bucket in item.buckets:
                    batch_buckets.setdefault(bucket, []).append((item.article_id, item.shingles))
            found.append(Pending(item.article_id, item.published, keys, item.buckets, original))
        return found

    def _batch_original(
        self,
        shingle_set: frozenset[str],
        buckets: builtins.list[str],
        batch_buckets: dict[str, builtins.list[tuple[int, frozenset[str]]]],
    ) -> int | None:
        seen: set[int] = set()
        for bucket in buckets:
            for other, other_shingles in batch_buckets.get(bucket, ()):
                if other in seen:
                    continue
                seen.add(other)
                if dedup.is_copy(shingle_set, other_shingles, self.containment):
                    return other
        return None

    def _original_of(
        self, conn: Connection, shingle_set: frozenset[str], buckets: list[str]
    ) -> int | None:
        if not buckets:
            return None
        query = (
            sa.select(story_lsh.c.article_id)
            .where(story_lsh.c.bucket.in_(buckets))
            .group_by(story_lsh.c.article_id)
            .order_by(sa.func.count().desc(), story_lsh.c.article_id)
            .limit(COPY_CANDIDATES)
        )
        candidates = [int(a) for a in conn.execute(query).scalars()]
        if not candidates:
            return None
        texts = conn.execute(
            sa.select(articles.c.id, articles.c.title, articles.c.text)
            .where(articles.c.id.in_(candidates))
            .order_by(articles.c.id)
        )
        for other in texts:
            if dedup.is_copy(
                shingle_set, dedup.shingles(other.title + "\n" + other.text), self.containment
            ):
                return int(other.id)
        return None


def _copies_of(conn: Connection, article_ids: list[int]) -> list[int]:
    found: list[int] = []
    for chunk in chunks([str(a) for a in article_ids]):
        query = sa.select(story_articles.c.article_id).where(
            story_articles.c.duplicate_of.in_([int(a) for a in chunk])
        )
        found += [int(a) for a in conn.execute(query).scalars()]
    return found


def unfile(store: Store, conn: Connection, article_ids: list[int]) -> list[int]:
    """Take articles and their copies out of their stories and the index, undoing what
    filing added: their postings and LSH buckets, their keys' document frequencies (and
    the count of filed articles), their densities in the stored totals. Pinned members
    stay. Stories left empty are dropped. Returns the articles taken out, to be placed
    again."""
    counts: Counter[str] = Counter()
    total, count = 0.0, 0
    touched: set[int] = set()
    out: list[int] = []
    for chunk in chunks(
        [str(a) for a in sorted(set(article_ids) | set(_copies_of(conn, article_ids)))]
    ):
        ids = [int(a) for a in chunk]
        rows = conn.execute(
            sa.select(
                story_articles.c.article_id,
                story_articles.c.story_id,
                story_articles.c.duplicate_of,
                story_articles.c.key_counts,
                story_articles.c.partners,
            ).where(story_articles.c.article_id.in_(ids), sa.not_(story_articles.c.pinned))
        ).all()
        for row in rows:
            touched.add(int(row.story_id))
            if row.duplicate_of is not None:
                continue  # copies are never counted in the index
            counts[DOC_COUNT_KEY] -= 1
            counts.subtract(list(row.key_counts or ()))
            if row.partners is not None:
                total -= density.density(row.partners.values())
                count -= 1
        taken = [int(row.article_id) for row in rows]
        for table in (story_postings, story_lsh, story_articles):
            conn.execute(sa.delete(table).where(table.c.article_id.in_(taken)))
        out += taken
    count_keys(store, conn, Counter({k: n for k, n in counts.items() if n}))
    add_density_totals(store, conn, total, count)
    for story_id in sorted(touched):
        drop_if_empty(conn, story_id)
    return sorted(out)
