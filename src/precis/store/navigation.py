"""Reading order: the previous and next article by publication time within a source.

Kept beside ``db.py`` rather than in it so the reader's queries stay in one place.
Articles with a publication time are ordered by (published, id); articles without one
are ordered by id among themselves (they have no place on the time line).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.models import StoredArticle
from precis.store.db import Store
from precis.store.schema import articles


@dataclass(frozen=True, slots=True)
class Neighbour:
    id: int
    title: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class Neighbours:
    previous: Neighbour | None
    next: Neighbour | None


def neighbours(store: Store, stored: StoredArticle) -> Neighbours:
    """The articles published just before and just after ``stored``, same source."""
    source, published = stored.article.source, stored.article.published
    with store.engine.connect() as conn:
        if source is None or published is None:
            return Neighbours(_step(conn, stored, older=True), _step(conn, stored, older=False))
        params = {"source": source, "published": published, "article_id": stored.id}
        found = {
            row.older: Neighbour(row.id, row.title, row.published)
            for row in conn.execute(_BOTH, params)
        }
    return Neighbours(found.get(1), found.get(0))


Query = sa.Select[tuple[int, str, datetime | None]]


def _after(at: Any, article_id: Any, *, older: bool) -> sa.ColumnElement[bool]:
    """Strictly before/after (``at``, ``article_id``) in (published, id) order, written
    as a range on ``published`` so ix_articles_source_published serves it."""
    if older:
        return sa.and_(
            articles.c.published <= at,
            sa.not_(sa.and_(articles.c.published == at, articles.c.id >= article_id)),
        )
    return sa.and_(
        articles.c.published >= at,
        sa.not_(sa.and_(articles.c.published == at, articles.c.id <= article_id)),
    )


def _nearest(where: sa.ColumnElement[bool], *, older: bool, dated: bool) -> Query:
    direction = sa.desc if older else sa.asc
    order = [direction(articles.c.published), direction(articles.c.id)] if dated else []
    return (
        sa.select(articles.c.id, articles.c.title, articles.c.published)
        .where(where)
        .order_by(*order, direction(articles.c.id))
        .limit(1)
    )


def _dated(*, older: bool) -> Query:
    at = sa.bindparam("published", type_=articles.c.published.type)
    same = articles.c.source == sa.bindparam("source")
    where = sa.and_(same, _after(at, sa.bindparam("article_id"), older=older))
    return _nearest(where, older=older, dated=True)


def _both() -> sa.CompoundSelect[int, int, str, datetime | None]:
    """Both neighbours of a dated article in one statement (one round trip, not two):
    each side is its own indexed ``LIMIT 1`` lookup, tagged with ``older``."""
    sides = []
    for older in (True, False):
        side = _dated(older=older).subquery()
        sides.append(sa.select(sa.literal_column("1" if older else "0").label("older"), *side.c))
    return sa.union_all(*sides)


# Built once: building the statement cost more than the indexed lookup itself.
_BOTH = _both()


def _step(conn: Connection, stored: StoredArticle, *, older: bool) -> Neighbour | None:
    row = conn.execute(_rare(stored, older=older)).first()
    return None if row is None else Neighbour(row.id, row.title, row.published)


def _rare(stored: StoredArticle, *, older: bool) -> Query:
    """No source, or no publication time (undated articles are ordered by id)."""
    source, published = stored.article.source, stored.article.published
    same = articles.c.source.is_(None) if source is None else articles.c.source == source
    if published is None:
        step = articles.c.id < stored.id if older else articles.c.id > stored.id
        return _nearest(
            sa.and_(same, articles.c.published.is_(None), step), older=older, dated=False
        )
    at = sa.literal(published, articles.c.published.type)
    return _nearest(sa.and_(same, _after(at, stored.id, older=older)), older=older, dated=True)


def count(
    store: Store,
    *,
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """How many articles ``Store.list`` would page through with these filters."""
    query = sa.select(sa.func.count()).select_from(articles)
    if source is not None:
        query = query.where(articles.c.source == source)
    if since is not None:
        query = query.where(articles.c.published >= since)
    if until is not None:
        query = query.where(articles.c.published < until)
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
