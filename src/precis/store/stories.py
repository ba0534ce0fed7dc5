"""Stories in the database: assignment of new articles, listing, and user corrections.

The algorithms live in ``precis.cluster``; ``precis.store.storyindex.DbIndex`` gives them
a database-backed index (posting lists over each article's distinctive keys, document
frequencies), and this module files articles into it and into the MinHash LSH buckets,
so assigning one article costs a few indexed lookups whatever the size of the store.
Filing many stories at once (batch results, imports, rebuilding the index) is
``precis.store.storyload``; ``StoryStore`` offers it too, so callers need one object.

Assignment is ``precis.store.storyassign``. Corrections (merge, split, move) mark the
stories involved ``corrected`` and the moved articles ``pinned``. Automatic assignment
re-groups only stories nobody corrected, so it never undoes a correction: pinned articles
stay where the user put them, and a new article joins whichever story (corrected or not)
its content matches.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.cluster import dedup
from precis.cluster.assign import (
    Params,
)
from precis.errors import NotFound, PrecisError
from precis.store.db import Store
from precis.store.schema import (
    articles,
    stories,
    story_articles,
)
from precis.store.storyassign import StoryAssigner
from precis.store.storyindex import drop_if_empty, new_story
from precis.store.storyload import StoryLoader, StoryRecord
from precis.store.storyregroup import Placed


class StoryNotFound(NotFound):
    def __init__(self, key: object) -> None:
        super().__init__("story", key)
        self.message = f"no story with id {key}; run 'precis stories' to list them"
        self.args = (self.message,)


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


def outlet_key() -> Any:
    """SQL for an original member's outlet (its source, or the article itself when
    unnamed; NULL for a copy): ``count(distinct ...)`` of it is a story's independent
    sources, as ``StoryView.sources`` counts them. Needs ``articles`` joined."""
    return sa.case(
        (
            story_articles.c.duplicate_of.is_(None),
            sa.func.coalesce(articles.c.source, "#" + sa.cast(articles.c.id, sa.String)),
        ),
        else_=None,
    )


@dataclass(slots=True)
class StoryStore:
    store: Store
    params: Params = field(default_factory=Params)
    containment: float = dedup.CONTAINMENT

    # -- assignment ---------------------------------------------------------------------
    def pending(self, among: Sequence[int] | None = None) -> list[int]:
        """Articles without a story (see ``StoryAssigner.pending``)."""
        return self._assigner().pending(among)

    def assign(self, article_ids: Iterable[int] | None = None) -> list[Placed]:
        """Place articles in stories; see ``StoryAssigner.assign``."""
        return self._assigner().assign(article_ids)

    def refile(self, article_ids: Iterable[int]) -> list[Placed]:
        """Place articles whose text changed again; see ``StoryAssigner.refile``."""
        return self._assigner().refile(article_ids)

    def _assigner(self) -> StoryAssigner:
        return StoryAssigner(self.store, self.params, self.containment)

    # -- bulk: batch results, imports, rebuilding the index (``precis.store.storyload``)
    def load_batch(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert the stories of a batch run; see ``StoryLoader.load_batch``."""
        return StoryLoader(self.store, self.params).load_batch(rows)

    def insert_records(self, records: Sequence[StoryRecord], conn: Connection | None = None) -> int:
        """Insert stories moved between databases; see ``StoryLoader.insert_records``."""
        return StoryLoader(self.store, self.params).insert_records(records, conn)

    def rebuild_index(self) -> int:
        """Recompute the derived index tables; see ``StoryLoader.rebuild_index``."""
        return StoryLoader(self.store, self.params).rebuild_index()

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
        """Stories with the most independent sources first (outlets of original articles,
        an unnamed one counting as its own, as ``StoryView.sources``), then the newest."""
        count = sa.func.count(sa.distinct(outlet_key())).label("n")
        latest = sa.func.max(story_articles.c.published).label("latest")
        query = (
            sa.select(story_articles.c.story_id, count, latest)
            .join(articles, articles.c.id == story_articles.c.article_id)
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
        with self.store.serialised() as conn:
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
        with self.store.serialised() as conn:
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
        with self.store.serialised() as conn:
            self._relocate(conn, [article_id], story_id)
            self._correct(conn, story_id)
            self._correct(conn, source)
            drop_if_empty(conn, source)

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
