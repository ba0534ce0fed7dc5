"""Stories in the database: assignment of new articles, listing, and user corrections.

The algorithms live in ``precis.cluster``; ``precis.store.storyindex.DbIndex`` gives them
a database-backed index (posting lists over each article's distinctive keys, document
frequencies), and this module files articles into it and into the MinHash LSH buckets,
so assigning one article costs a few indexed lookups whatever the size of the store.
Filing many stories at once (batch results, imports, rebuilding the index) is
``precis.store.storyload``; ``StoryStore`` offers it too, so callers need one object.

Corrections (merge, split, move) mark the stories involved ``corrected`` and the moved
articles ``pinned``. Automatic assignment places *new* articles, and merges two stories
only when a new article bridges them (``precis.cluster.assign.merges``) and neither was
corrected, so it never undoes a correction: pinned articles stay where the user put them,
and a new article joins whichever story (corrected or not) its content matches.
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.cluster import dedup
from precis.cluster.assign import (
    Params,
    article_keys,
    decide,
    merges,
)
from precis.cluster.features import features
from precis.errors import NotFound, PrecisError
from precis.store.db import Store
from precis.store.schema import (
    articles,
    stories,
    story_articles,
    story_lsh,
    story_postings,
)
from precis.store.storyindex import CHUNK, DOC_COUNT_KEY, DbIndex, count_keys, new_story
from precis.store.storyload import StoryLoader, StoryRecord

COPY_CANDIDATES = 50  # LSH candidates checked by containment per new article


class StoryNotFound(NotFound):
    def __init__(self, key: object) -> None:
        super().__init__("story", key)
        self.message = f"no story with id {key}; run 'precis stories' to list them"
        self.args = (self.message,)


@dataclass(frozen=True, slots=True)
class Placed:
    article_id: int
    story_id: int
    duplicate_of: int | None
    new_story: bool


@dataclass(frozen=True, slots=True)
class _Pending:
    """An article about to be assigned, surveyed before the first one is placed."""

    article_id: int
    published: datetime | None
    keys: dict[str, float]  # empty for a copy
    buckets: list[str]
    original: int | None  # the article it copies, if it is a copy


@dataclass(frozen=True, slots=True)
class StoryArticle:
    id: int
    title: str
    text: str
    source: str | None
    published: datetime | None
    duplicate_of: int | None
    pinned: bool
    score: float
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoryView:
    id: int
    articles: tuple[StoryArticle, ...]
    corrected: bool = False
    updated_at: datetime | None = None

    @property
    def title(self) -> str:
        originals = [a for a in self.articles if a.duplicate_of is None] or list(self.articles)
        return originals[0].title if originals else ""

    @property
    def sources(self) -> list[str]:
        """Independent sources: outlets of original articles (copies do not count)."""
        found: list[str] = []
        for a in self.articles:
            if a.duplicate_of is None:
                name = a.source or f"(unnamed, article {a.id})"
                if name not in found:
                    found.append(name)
        return found

    @property
    def latest(self) -> datetime | None:
        dates = [a.published for a in self.articles if a.published is not None]
        return max(dates) if dates else None


@dataclass(slots=True)
class StoryStore:
    store: Store
    params: Params = field(default_factory=Params)
    containment: float = dedup.CONTAINMENT

    # -- assignment ---------------------------------------------------------------------
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

    def assign(self, article_ids: Iterable[int] | None = None) -> list[Placed]:
        """Place each given article (default: every article without a story) in a story.

        The articles are visited in canonical order (``pending``), each in its own
        transaction, and weighed with the document frequencies of the store plus *all*
        the given articles (see ``DbIndex``), so assigning a batch to an empty store
        gives the stories ``precis.cluster.cluster`` gives for the same articles."""
        among = sorted(set(article_ids)) if article_ids is not None else None
        batch = self._survey(self.pending(among))
        unfiled: Counter[str] = Counter()
        for item in batch:
            if item.original is None:
                unfiled.update(list(item.keys))
                unfiled[DOC_COUNT_KEY] += 1
        placed = []
        for item in batch:
            with self.store.engine.begin() as conn:
                placed.append(self._place(conn, item, unfiled))
            if item.original is None:  # now filed: the stored counts include it
                unfiled.subtract(list(item.keys))
                unfiled[DOC_COUNT_KEY] -= 1
        return placed

    def _survey(self, ordered: builtins.list[int]) -> builtins.list[_Pending]:
        """Keys, LSH buckets and copy status of each article about to be assigned, in
        order. A copy's original is an indexed article or an earlier original of the
        batch (copies are never indexed, so they do not count in document frequencies)."""
        found: builtins.list[_Pending] = []
        batch_buckets: dict[str, builtins.list[tuple[int, frozenset[str]]]] = {}
        with self.store.engine.connect() as conn:
            for start in range(0, len(ordered), CHUNK):
                chunk = ordered[start : start + CHUNK]
                rows = {
                    int(r.id): r
                    for r in conn.execute(
                        sa.select(
                            articles.c.id, articles.c.title, articles.c.text, articles.c.published
                        ).where(articles.c.id.in_(chunk))
                    )
                }
                for article_id in chunk:
                    row = rows[article_id]
                    shingle_set = dedup.shingles(row.title + "\n" + row.text)
                    buckets = dedup.band_keys(shingle_set)
                    original = self._original_of(conn, shingle_set, buckets)
                    if original is None:
                        original = self._batch_original(shingle_set, buckets, batch_buckets)
                    keys: dict[str, float] = {}
                    if original is None:
                        keys = article_keys(features(row.title, row.text))
                        for bucket in buckets:
                            batch_buckets.setdefault(bucket, []).append((article_id, shingle_set))
                    found.append(_Pending(article_id, row.published, keys, buckets, original))
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

    def _place(self, conn: Connection, item: _Pending, unfiled: Counter[str]) -> Placed:
        article_id = item.article_id
        now = datetime.now(UTC)
        if item.original is not None:
            original = item.original
            story_id = conn.execute(
                sa.select(story_articles.c.story_id).where(story_articles.c.article_id == original)
            ).scalar_one()
            self._member(
                conn, article_id, story_id, original, 1.0, {"copy_of": original}, {}, item.published
            )
            self._touch(conn, story_id, now)
            return Placed(article_id, story_id, original, False)
        keys = item.keys
        decision, weights, filed = decide(keys, item.published, DbIndex(conn, unfiled), self.params)
        new = decision.story is None
        if decision.story is None:
            story_id = new_story(conn, now, corrected=False)
        else:
            story_id = int(decision.story)
            self._touch(conn, story_id, now)
        self._member(
            conn,
            article_id,
            story_id,
            None,
            decision.score,
            decision.explanation,
            weights,
            item.published,
        )
        self._index(conn, article_id, keys, filed, item.buckets)
        if not new:
            for other in merges(str(story_id), decision.touched, DbIndex(conn), self.params):
                conn.execute(
                    sa.update(story_articles)
                    .where(story_articles.c.story_id == int(other))
                    .values(story_id=story_id)
                )
                conn.execute(sa.delete(stories).where(stories.c.id == int(other)))
        return Placed(article_id, story_id, None, new)

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

    def _member(
        self,
        conn: Connection,
        article_id: int,
        story_id: int,
        duplicate_of: int | None,
        score: float,
        explanation: dict[str, object],
        weights: dict[str, float],
        published: datetime | None,
    ) -> None:
        conn.execute(
            sa.insert(story_articles).values(
                article_id=article_id,
                story_id=story_id,
                duplicate_of=duplicate_of,
                pinned=False,
                score=score,
                explanation=explanation,
                weights={k: round(v, 5) for k, v in weights.items()},
                published=published,
            )
        )

    def _index(
        self,
        conn: Connection,
        article_id: int,
        keys: dict[str, float],
        filed: list[str],
        buckets: list[str],
    ) -> None:
        if filed:
            conn.execute(
                sa.insert(story_postings), [{"key": k, "article_id": article_id} for k in filed]
            )
        if buckets:
            conn.execute(
                sa.insert(story_lsh), [{"bucket": b, "article_id": article_id} for b in buckets]
            )
        # df += 1 for every key (an upsert, so concurrent writers cannot lose counts)
        count_keys(self.store, conn, Counter(dict.fromkeys([*keys, DOC_COUNT_KEY], 1)))

    def _touch(self, conn: Connection, story_id: int, now: datetime) -> None:
        conn.execute(sa.update(stories).where(stories.c.id == story_id).values(updated_at=now))

    # -- bulk: batch results, imports, rebuilding the index (``precis.store.storyload``)
    def load_batch(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert the stories of a batch run; see ``StoryLoader.load_batch``."""
        return StoryLoader(self.store).load_batch(rows)

    def insert_records(self, records: Sequence[StoryRecord], conn: Connection | None = None) -> int:
        """Insert stories moved between databases; see ``StoryLoader.insert_records``."""
        return StoryLoader(self.store).insert_records(records, conn)

    def rebuild_index(self) -> int:
        """Recompute the derived index tables; see ``StoryLoader.rebuild_index``."""
        return StoryLoader(self.store).rebuild_index()

    # -- reading ------------------------------------------------------------------------
    def get(self, story_id: int) -> StoryView:
        with self.store.engine.connect() as conn:
            story = conn.execute(sa.select(stories).where(stories.c.id == story_id)).first()
            if story is None:
                raise StoryNotFound(story_id)
            query = (
                sa.select(
                    articles.c.id,
                    articles.c.title,
                    articles.c.text,
                    articles.c.source,
                    articles.c.published,
                    story_articles.c.duplicate_of,
                    story_articles.c.pinned,
                    story_articles.c.score,
                    story_articles.c.explanation,
                )
                .join(story_articles, story_articles.c.article_id == articles.c.id)
                .where(story_articles.c.story_id == story_id)
                .order_by(articles.c.source, articles.c.published, articles.c.id)
            )
            rows = [StoryArticle(*row) for row in conn.execute(query)]
        return StoryView(story_id, tuple(rows), bool(story.corrected), story.updated_at)

    def list(self, limit: int = 20, offset: int = 0) -> builtins.list[StoryView]:
        """Stories with the most independent sources first, then the newest."""
        count = sa.func.count().label("n")
        latest = sa.func.max(story_articles.c.published).label("latest")
        query = (
            sa.select(story_articles.c.story_id, count, latest)
            .where(story_articles.c.duplicate_of.is_(None))
            .group_by(story_articles.c.story_id)
            .order_by(count.desc(), latest.desc(), story_articles.c.story_id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self.store.engine.connect() as conn:
            ids = [int(row.story_id) for row in conn.execute(query)]
        return [self.get(i) for i in ids]

    def story_of(self, article_id: int) -> int:
        with self.store.engine.connect() as conn:
            found = conn.execute(
                sa.select(story_articles.c.story_id).where(
                    story_articles.c.article_id == article_id
                )
            ).scalar()
        if found is None:
            self.store.get(article_id)  # raises NotFound for an unknown article
            raise PrecisError(f"article {article_id} has no story yet; run 'precis stories'")
        return int(found)

    # -- corrections --------------------------------------------------------------------
    def merge(self, into: int, other: int) -> None:
        """Move every article of story ``other`` into story ``into``; ``other`` disappears."""
        if into == other:
            raise PrecisError(f"cannot merge story {into} into itself; give two different stories")
        self.get(into)
        self.get(other)
        with self.store.engine.begin() as conn:
            conn.execute(
                sa.update(story_articles)
                .where(story_articles.c.story_id == other)
                .values(story_id=into, pinned=True)
            )
            conn.execute(sa.delete(stories).where(stories.c.id == other))
            self._correct(conn, into)

    def split(self, story_id: int, article_ids: Sequence[int]) -> int:
        """Move ``article_ids`` (and their copies) out of ``story_id`` into a new story."""
        view = self.get(story_id)
        members = {a.id for a in view.articles}
        self._check_members(story_id, members, article_ids)
        if set(article_ids) >= {a.id for a in view.articles if a.duplicate_of is None}:
            raise PrecisError("a split must leave at least one original article in the story")
        now = datetime.now(UTC)
        with self.store.engine.begin() as conn:
            new_id = new_story(conn, now, corrected=True)
            self._relocate(conn, list(article_ids), new_id)
            self._correct(conn, story_id)
        return new_id

    def move(self, article_id: int, story_id: int) -> None:
        """Put one article (and its copies) into another existing story."""
        source = self.story_of(article_id)
        self.get(story_id)
        if source == story_id:
            raise PrecisError(f"article {article_id} is already in story {story_id}")
        with self.store.engine.begin() as conn:
            self._relocate(conn, [article_id], story_id)
            self._correct(conn, story_id)
            self._correct(conn, source)
            self._drop_if_empty(conn, source)

    def _check_members(self, story_id: int, members: set[int], article_ids: Sequence[int]) -> None:
        if not article_ids:
            raise PrecisError("name at least one article to split off")
        for article_id in article_ids:
            if article_id not in members:
                self.store.get(article_id)  # NotFound for an unknown article
                raise PrecisError(f"article {article_id} is not in story {story_id}")

    def _relocate(self, conn: Connection, article_ids: builtins.list[int], story_id: int) -> None:
        moved = sa.or_(
            story_articles.c.article_id.in_(article_ids),
            story_articles.c.duplicate_of.in_(article_ids),
        )
        conn.execute(sa.update(story_articles).where(moved).values(story_id=story_id, pinned=True))

    def _correct(self, conn: Connection, story_id: int) -> None:
        conn.execute(
            sa.update(stories)
            .where(stories.c.id == story_id)
            .values(corrected=True, updated_at=datetime.now(UTC))
        )

    def _drop_if_empty(self, conn: Connection, story_id: int) -> None:
        left = conn.execute(
            sa.select(sa.func.count()).where(story_articles.c.story_id == story_id)
        ).scalar_one()
        if left == 0:
            conn.execute(sa.delete(stories).where(stories.c.id == story_id))
