"""Feed subscriptions and their poll state, over the ``feeds`` and ``feed_entries`` tables.

Functions over a ``Store`` rather than methods on it, so that feeds stay a separable
concern. ``feed_entries`` remembers every entry already turned into an article (or given
up on), so a poll only processes what is new.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from precis.errors import NotFound, PrecisError
from precis.models import Feed
from precis.store.db import Store
from precis.store.schema import articles, feed_entries, feeds

# An entry whose page failed this many polls in a row is given up on.
MAX_ENTRY_ATTEMPTS = 3
# A failing feed is retried after interval * 2**(errors-1), but at least once a day.
MAX_ERROR_BACKOFF = timedelta(days=1)


class FeedExists(PrecisError):
    """Subscribing twice to one URL."""

    status = 409


def add_feed(store: Store, url: str, name: str, interval_seconds: int) -> Feed:
    now = datetime.now(UTC)
    values = {
        "url": url,
        "name": name,
        "interval_seconds": interval_seconds,
        "created_at": now,
        "next_due_at": now,
        "error_count": 0,
        "articles_added": 0,
    }
    with store.engine.begin() as conn:
        inserted = conn.execute(_insert(store, feeds).values(**values).on_conflict_do_nothing())
        row = conn.execute(sa.select(feeds).where(feeds.c.url == url)).one()
    if inserted.rowcount != 1:
        raise FeedExists(f"already subscribed to {url} as feed #{row.id} ({row.name})")
    return _feed(row)


def list_feeds(store: Store) -> list[Feed]:
    with store.engine.connect() as conn:
        return [_feed(row) for row in conn.execute(sa.select(feeds).order_by(feeds.c.id))]


def get_feed(store: Store, key: str | int) -> Feed:
    """A feed by id, URL or name."""
    query = sa.select(feeds)
    text = str(key)
    if text.isdigit():
        query = query.where(feeds.c.id == int(text))
    else:
        query = query.where(sa.or_(feeds.c.url == text, feeds.c.name == text))
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise PrecisError(f"no feed {text!r}; run 'precis feed ls' to see the subscriptions")
    return _feed(row)


def remove_feed(store: Store, feed_id: int) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.delete(feed_entries).where(feed_entries.c.feed_id == feed_id))
        if conn.execute(sa.delete(feeds).where(feeds.c.id == feed_id)).rowcount == 0:
            raise NotFound("feed", feed_id)


def due_feeds(store: Store, now: datetime) -> list[Feed]:
    query = sa.select(feeds).where(feeds.c.next_due_at <= now).order_by(feeds.c.next_due_at)
    with store.engine.connect() as conn:
        return [_feed(row) for row in conn.execute(query)]


def next_due(store: Store) -> datetime | None:
    with store.engine.connect() as conn:
        value: datetime | None = conn.execute(sa.select(sa.func.min(feeds.c.next_due_at))).scalar()
    if isinstance(value, str):  # in case a backend's min() bypasses the column type
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def record_not_modified(store: Store, feed: Feed, now: datetime) -> None:
    _update(
        store,
        feed.id,
        last_fetched_at=now,
        last_success_at=now,
        last_status="not modified",
        last_error=None,
        error_count=0,
        next_due_at=now + timedelta(seconds=feed.interval_seconds),
    )


def record_success(
    store: Store,
    feed: Feed,
    now: datetime,
    *,
    etag: str | None,
    last_modified: str | None,
    title: str | None,
    site_url: str | None,
    added: int,
    entry_error: str | None,
) -> None:
    _update(
        store,
        feed.id,
        etag=etag,
        last_modified=last_modified,
        title=title,
        site_url=site_url,
        last_fetched_at=now,
        last_success_at=now,
        last_status="ok",
        last_error=entry_error,
        error_count=0,
        articles_added=feeds.c.articles_added + added,
        next_due_at=now + timedelta(seconds=feed.interval_seconds),
    )


def record_failure(
    store: Store, feed: Feed, now: datetime, error: str, retry_at: datetime | None = None
) -> None:
    errors = feed.error_count + 1
    backoff = min(
        timedelta(seconds=feed.interval_seconds * 2 ** min(errors - 1, 16)), MAX_ERROR_BACKOFF
    )
    _update(
        store,
        feed.id,
        last_fetched_at=now,
        last_status="error",
        last_error=error,
        error_count=errors,
        next_due_at=max(now + backoff, retry_at or now),
    )


def finished_entries(store: Store, feed_id: int) -> set[str]:
    """Keys of entries stored, or failed too often to try again."""
    query = sa.select(feed_entries.c.entry_key).where(
        feed_entries.c.feed_id == feed_id,
        sa.or_(feed_entries.c.status == "stored", feed_entries.c.attempts >= MAX_ENTRY_ATTEMPTS),
    )
    with store.engine.connect() as conn:
        return {row.entry_key for row in conn.execute(query)}


def record_entry(
    store: Store, feed_id: int, key: str, article_id: int | None, error: str | None
) -> None:
    values = {
        "feed_id": feed_id,
        "entry_key": key,
        "article_id": article_id,
        "status": "stored" if error is None else "failed",
        "attempts": 1,
        "error": error,
        "seen_at": datetime.now(UTC),
    }
    upsert = (
        _insert(store, feed_entries)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["feed_id", "entry_key"],
            set_={
                "article_id": article_id,
                "status": values["status"],
                "attempts": feed_entries.c.attempts + 1,
                "error": error,
            },
        )
    )
    with store.engine.begin() as conn:
        conn.execute(upsert)


def article_id_for_url(store: Store, url: str) -> int | None:
    with store.engine.connect() as conn:
        found: int | None = conn.execute(
            sa.select(articles.c.id).where(articles.c.url == url)
        ).scalar()
    return found


def _update(store: Store, feed_id: int, **values: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.update(feeds).where(feeds.c.id == feed_id).values(**values))


def _insert(store: Store, table: sa.Table) -> Any:
    if store.dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _feed(row: Any) -> Feed:
    return Feed(
        id=row.id,
        url=row.url,
        name=row.name,
        interval_seconds=row.interval_seconds,
        title=row.title,
        site_url=row.site_url,
        etag=row.etag,
        last_modified=row.last_modified,
        created_at=row.created_at,
        next_due_at=row.next_due_at,
        last_fetched_at=row.last_fetched_at,
        last_success_at=row.last_success_at,
        last_status=row.last_status,
        last_error=row.last_error,
        error_count=row.error_count,
        articles_added=row.articles_added,
    )
