"""Reading order: the previous and next article by publication time within a source.

Kept beside ``db.py`` rather than in it so the reader's queries stay in one place.
Articles with a publication time are ordered by (published, id); articles without one
are ordered by id among themselves (they have no place on the time line).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

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
    return Neighbours(_step(store, stored, older=True), _step(store, stored, older=False))


def _step(store: Store, stored: StoredArticle, *, older: bool) -> Neighbour | None:
    source = stored.article.source
    same_source = articles.c.source.is_(None) if source is None else articles.c.source == source
    published = stored.article.published
    if published is None:
        where = sa.and_(
            articles.c.published.is_(None),
            articles.c.id < stored.id if older else articles.c.id > stored.id,
        )
        order = [articles.c.id.desc() if older else articles.c.id.asc()]
    else:
        before = sa.tuple_(articles.c.published, articles.c.id) < sa.tuple_(
            sa.literal(published, articles.c.published.type), sa.literal(stored.id)
        )
        after = sa.tuple_(articles.c.published, articles.c.id) > sa.tuple_(
            sa.literal(published, articles.c.published.type), sa.literal(stored.id)
        )
        where = before if older else after
        direction = sa.desc if older else sa.asc
        order = [direction(articles.c.published), direction(articles.c.id)]
    query = (
        sa.select(articles.c.id, articles.c.title, articles.c.published)
        .where(same_source, where)
        .order_by(*order)
        .limit(1)
    )
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else Neighbour(row.id, row.title, row.published)


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
