"""The store: articles and cached summaries over SQLAlchemy Core.

One code path for SQLite and PostgreSQL. Inserts are upserts against unique constraints
(``ON CONFLICT DO NOTHING``), never check-then-insert, so concurrent ingests cannot
duplicate an article. Every write runs in its own transaction.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from precis.errors import NotFound, StoreError
from precis.models import Article, StoredArticle
from precis.store.schema import articles, summaries
from precis.text.sentences import encode, parse

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 10_000  # SQLite: how long a write waits for another writer's lock
CACHE_LOCK_WAIT_MS = 20  # ...except a summary-cache write, which is skipped instead
# How long a serialised writer (story assignment, corrections, index rebuilds) waits for
# another one to finish: an assignment of a large ingest takes minutes, not seconds.
SERIAL_LOCK_WAIT_S = 600
# The PostgreSQL advisory lock serialised writers share (any fixed 64-bit number; this
# one spells "precis" in ASCII).
SERIAL_LOCK_KEY = 0x707265636973
_WORD = re.compile(r"\w+")
P = ParamSpec("P")
R = TypeVar("R")


# Statements the reader runs on every request, built once: building and cache-keying a
# select costs more than SQLite's indexed lookup itself (measured in docs/benchmarks.md).
_BY_ID = sa.select(articles).where(articles.c.id == sa.bindparam("article_id"))
# The same without ``raw`` (the source document, often a whole HTML page): for readers.
_BY_ID_NO_RAW = sa.select(*(c for c in articles.c if c.name != "raw")).where(
    articles.c.id == sa.bindparam("article_id")
)
_CACHED = sa.select(summaries.c.payload, summaries.c.content_hash).where(
    summaries.c.article_id == sa.bindparam("article_id"),
    summaries.c.method == sa.bindparam("method"),
    summaries.c.length_key == sa.bindparam("length_key"),
)
# A cached summary still current for the article's text, in one indexed query.
_CURRENT = (
    sa.select(summaries.c.payload)
    .select_from(
        summaries.join(
            articles,
            sa.and_(
                articles.c.id == summaries.c.article_id,
                articles.c.content_hash == summaries.c.content_hash,
            ),
        )
    )
    .where(
        summaries.c.article_id == sa.bindparam("article_id"),
        summaries.c.method == sa.bindparam("method"),
        summaries.c.length_key == sa.bindparam("length_key"),
    )
)


def _summary_upsert(insert: Any) -> Any:
    """The summary-cache write for one dialect's INSERT, values bound at execution."""
    return insert.on_conflict_do_update(
        index_elements=["article_id", "method", "length_key"],
        set_={
            "content_hash": insert.excluded.content_hash,
            "payload": insert.excluded.payload,
            "created_at": insert.excluded.created_at,
        },
    )


_UPSERT_SUMMARY_SQLITE = _summary_upsert(sqlite.insert(summaries))
_UPSERT_SUMMARY_POSTGRESQL = _summary_upsert(postgresql.insert(summaries))


def content_hash(text: str) -> str:
    """Hash of the normalised text: case, punctuation and spacing do not matter."""
    normalised = " ".join(_WORD.findall(text.casefold()))
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AddResult:
    id: int
    created: bool
    reason: Literal["added", "same url", "same content"]


def one_line(error: object) -> str:
    """A driver message on one line (psycopg's span several)."""
    return " ".join(str(error).split())


def _translated(method: Callable[P, R]) -> Callable[P, R]:
    """Database failures (locked, read-only, gone) become a one-line ``StoreError``;
    constraint violations are left to the method, which expects some."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise StoreError(f"database error: {one_line(exc.orig)}") from exc

    return wrapper


class Store:
    """Open with ``Store.open(url)``; the schema is migrated to the latest revision."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, migrate: bool = True, echo: bool = False) -> Store:
        engine = _engine(url, echo)
        store = cls(engine)
        if migrate:
            store.migrate()
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------
    def migrate(self, revision: str = "heads") -> None:
        """Upgrade the schema (``precis migrate``; also done on every open)."""
        config = alembic_config(self.engine.url.render_as_string(hide_password=False))
        try:
            with self.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
        except DBAPIError as exc:
            raise StoreError(
                f"cannot migrate the database at {self.engine.url}: {one_line(exc.orig)}"
            ) from exc

    def revision(self) -> tuple[str, ...]:
        with self.engine.connect() as conn:
            return tuple(MigrationContext.configure(conn).get_current_heads())

    def head_revision(self) -> tuple[str, ...]:
        return tuple(ScriptDirectory.from_config(alembic_config("")).get_heads())

    # -- articles ---------------------------------------------------------------------
    @_translated
    def add(self, article: Article, *, conn: Connection | None = None) -> AddResult:
        """Insert ``article`` unless the same URL or the same normalised text is stored."""
        if conn is None:
            with self.engine.begin() as own:
                return self.add(article, conn=own)
        digest = content_hash(article.text)
        row = _article_row(article, digest)
        # RETURNING, not rowcount: psycopg reports no rowcount for an INSERT that SQLAlchemy
        # gives an implicit RETURNING, so rowcount-based detection misfires on PostgreSQL.
        insert = self._insert(articles).values(**row).on_conflict_do_nothing()
        new_id = conn.execute(insert.returning(articles.c.id)).scalar()
        if new_id is not None:
            return AddResult(int(new_id), True, "added")
        return self._existing(conn, article.url, digest)

    def _existing(self, conn: Connection, url: str | None, digest: str) -> AddResult:
        if url is not None:
            found = conn.execute(sa.select(articles.c.id).where(articles.c.url == url)).scalar()
            if found is not None:
                return AddResult(found, False, "same url")
        found = conn.execute(
            sa.select(articles.c.id).where(articles.c.content_hash == digest)
        ).scalar_one()
        return AddResult(found, False, "same content")

    @_translated
    def get(self, article_id: int, *, raw: bool = True) -> StoredArticle:
        """The article; with ``raw=False`` its ``raw`` source document is left out
        (``None``): what the reader shows never needs it, and it may be large."""
        query = _BY_ID if raw else _BY_ID_NO_RAW
        with self.engine.connect() as conn:
            row = conn.execute(query, {"article_id": article_id}).first()
        if row is None:
            raise NotFound("article", article_id)
        return _stored(row)

    @_translated
    def list(
        self,
        *,
        source: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> builtins.list[StoredArticle]:
        """Articles newest first (by publication time, then ingest time)."""
        query = sa.select(articles).order_by(*newest_first()).limit(limit).offset(offset)
        for clause in _filters(source, since, until):
            query = query.where(clause)
        with self.engine.connect() as conn:
            return [_stored(row) for row in conn.execute(query)]

    @_translated
    def count(self, *, source: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(articles)
        if source is not None:
            query = query.where(articles.c.source == source)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    @_translated
    def sources(self) -> builtins.list[tuple[str, int]]:
        """(source, article count), most articles first."""
        count = sa.func.count().label("n")
        query = (
            sa.select(articles.c.source, count)
            .where(articles.c.source.is_not(None))
            .group_by(articles.c.source)
            .order_by(count.desc(), articles.c.source)
        )
        with self.engine.connect() as conn:
            return [(row.source, int(row.n)) for row in conn.execute(query)]

    @_translated
    def delete(self, article_id: int, *, conn: Connection | None = None) -> None:
        """Delete an article (on ``conn``, in the caller's transaction, when given); the
        rows that hang on it go with it. ``precis.store.filing.delete_article`` also
        takes it out of the story index and reopens its copies."""
        with contextlib.ExitStack() as stack:
            if conn is None:
                conn = stack.enter_context(self.engine.begin())
            deleted = conn.execute(sa.delete(articles).where(articles.c.id == article_id))
            if deleted.rowcount == 0:
                raise NotFound("article", article_id)

    def replace_text(
        self, article_id: int, article: Article, *, conn: Connection | None = None
    ) -> None:
        """Store a re-extracted version of an article, keeping its id and ingest time
        (on ``conn``, in the caller's transaction, when given).

        Cached summaries need no deleting: they are keyed by the content hash, so they
        go stale by themselves when the text changes.
        """
        row = _article_row(article, content_hash(article.text))
        del row["ingested_at"]
        try:
            with contextlib.ExitStack() as stack:
                if conn is None:
                    conn = stack.enter_context(self.engine.begin())
                updated = conn.execute(
                    sa.update(articles).where(articles.c.id == article_id).values(**row)
                )
                if updated.rowcount == 0:
                    raise NotFound("article", article_id)
        except IntegrityError as exc:
            raise StoreError(
                f"article #{article_id} would then duplicate another stored article "
                "(same URL or same text); remove one of them with 'precis rm ID'"
            ) from exc

    def iter_all(self, batch: int = 500) -> Iterator[StoredArticle]:
        """Every article in id order, fetched in batches."""
        last = 0
        while True:
            query = (
                sa.select(articles).where(articles.c.id > last).order_by(articles.c.id).limit(batch)
            )
            with self.engine.connect() as conn:
                rows = [_stored(row) for row in conn.execute(query)]
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    @_translated
    def fill_sentences(self, batch: int = 500) -> int:
        """Store the sentence spans of articles that have none (rows loaded in bulk, or
        stored before spans were kept), a batch per transaction; returns how many."""
        filled = 0
        last = 0
        while True:
            query = (
                sa.select(articles.c.id, articles.c.title, articles.c.text)
                .where(articles.c.id > last, articles.c.sentences.is_(None))
                .order_by(articles.c.id)
                .limit(batch)
            )
            with self.engine.begin() as conn:
                rows = conn.execute(query).all()
                if not rows:
                    return filled
                conn.execute(
                    sa.update(articles)
                    .where(articles.c.id == sa.bindparam("row_id"))
                    .values(sentences=sa.bindparam("spans")),
                    [{"row_id": r.id, "spans": encode(parse(r.text, r.title))} for r in rows],
                )
            filled += len(rows)
            last = rows[-1].id

    # -- summary cache ----------------------------------------------------------------
    @_translated
    def cached_summary(self, article_id: int, method: str, length_key: str, digest: str) -> Any:
        """The cached payload, or None when absent or computed from older text."""
        params = {"article_id": article_id, "method": method, "length_key": length_key}
        with self.engine.connect() as conn:
            row = conn.execute(_CACHED, params).first()
        if row is None or row.content_hash != digest:
            return None
        return row.payload

    @_translated
    def current_summary(self, article_id: int, method: str, length_key: str) -> Any:
        """The cached payload if the article exists and its text is the one summarized,
        else None: the reader's cache hit, without fetching the article."""
        params = {"article_id": article_id, "method": method, "length_key": length_key}
        with self.engine.connect() as conn:
            return conn.execute(_CURRENT, params).scalar()

    def cache_summary(
        self, article_id: int, method: str, length_key: str, digest: str, payload: Any
    ) -> None:
        values = {
            "article_id": article_id,
            "method": method,
            "length_key": length_key,
            "content_hash": digest,
            "payload": payload,
            "created_at": datetime.now(UTC),
        }
        postgres = self.dialect == "postgresql"
        upsert = _UPSERT_SUMMARY_POSTGRESQL if postgres else _UPSERT_SUMMARY_SQLITE
        try:
            with self.engine.begin() as conn, self._brief_lock_wait(conn):
                conn.execute(upsert, values)
        except SQLAlchemyError as exc:  # a cache write must never fail or stall a read
            log.info("summary for article %s not cached: %s", article_id, exc)

    @contextmanager
    def _brief_lock_wait(self, conn: Connection) -> Iterator[None]:
        """On SQLite, wait at most ``CACHE_LOCK_WAIT_MS`` for the write lock: a reader
        asking for a summary must not queue behind other writers (SQLite's busy handler
        sleeps in growing steps, which showed up as a 1.3 s p99 under load); a skipped
        cache write is simply recomputed next time."""
        if self.dialect != "sqlite":
            yield
            return
        conn.exec_driver_sql(f"PRAGMA busy_timeout={CACHE_LOCK_WAIT_MS}")
        try:
            yield
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    @contextmanager
    def serialised(self) -> Iterator[Connection]:
        """A transaction that no other serialised one runs beside, in this process or any
        other: story assignment and story corrections read the index, decide, and write
        back what they decided, so two running at once would each decide on what the
        other is about to change. Plain article inserts do not wait for it.

        SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock before the first read
        (a deferred transaction would read, then fail to upgrade when another writer had
        committed in between). PostgreSQL: a transaction-scoped advisory lock. Either
        waits at most ``SERIAL_LOCK_WAIT_S`` for the writer before it."""
        with self.engine.begin() as conn:
            try:
                self._take_serial_lock(conn)
            except OperationalError as exc:  # only the wait for the lock is translated
                if not _lock_wait_failed(exc):
                    raise
                raise StoreError(
                    f"another precis process held the database for over {SERIAL_LOCK_WAIT_S} s "
                    f"({one_line(exc.orig)}); run the command again when it has finished"
                ) from exc
            yield conn

    def _take_serial_lock(self, conn: Connection) -> None:
        if self.dialect == "sqlite":
            conn.exec_driver_sql(f"PRAGMA busy_timeout={SERIAL_LOCK_WAIT_S * 1000}")
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            return
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{SERIAL_LOCK_WAIT_S}s'")
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SERIAL_LOCK_KEY})

    def _insert(self, table: sa.Table) -> Any:
        """The dialect's INSERT, which knows ON CONFLICT."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)


def _lock_wait_failed(exc: OperationalError) -> bool:
    """SQLite's "database is locked" or PostgreSQL's lock_timeout (SQLSTATE 55P03)."""
    return "database is locked" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "55P03"


def newest_first() -> Sequence[sa.ColumnElement[Any]]:
    return (
        articles.c.published.is_(None),
        articles.c.published.desc(),
        articles.c.ingested_at.desc(),
        articles.c.id.desc(),
    )


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3, the driver precis installs
    (SQLAlchemy's own default for them is psycopg2, which it does not)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _engine(url: str, echo: bool) -> Engine:
    url = normalise_url(url)
    try:
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(
                parents=True, exist_ok=True
            )
        engine = sa.create_engine(url, echo=echo, future=True, json_deserializer=_json_loads)
    except (SQLAlchemyError, OSError, ValueError) as exc:
        raise StoreError(
            f"cannot open database {url!r}: {one_line(exc)}; "
            "give --db a file path, sqlite:///PATH or postgresql://USER@HOST/DB"
        ) from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _json_loads(text: str | bytes) -> Any:
    """JSON columns are read with orjson (several times faster than the standard library
    on the story weights read for every candidate of an assignment, the largest item in
    a profile of it); what orjson refuses but the
    standard library wrote (NaN, integers past 64 bits) falls back to ``json.loads``."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _filters(
    source: str | None, since: datetime | None, until: datetime | None
) -> list[sa.ColumnElement[bool]]:
    clauses = []
    if source is not None:
        clauses.append(articles.c.source == source)
    if since is not None:
        clauses.append(articles.c.published >= since)
    if until is not None:
        clauses.append(articles.c.published < until)
    return clauses


def _article_row(article: Article, digest: str) -> dict[str, Any]:
    return {
        "content_hash": digest,
        "url": article.url,
        "external_id": article.external_id,
        "title": article.title,
        "text": article.text,
        "source": article.source,
        "author": article.author,
        "published": article.published,
        "ingested_at": datetime.now(UTC),
        "word_count": len(article.text.split()),
        "raw": article.raw,
        "raw_type": article.raw_type,
        "origin": article.origin,
        "sentences": encode(parse(article.text, article.title)),
    }


def _stored(row: Any) -> StoredArticle:
    article = Article(
        title=row.title,
        text=row.text,
        url=row.url,
        source=row.source,
        author=row.author,
        published=row.published,
        external_id=row.external_id,
        raw=getattr(row, "raw", None),
        raw_type=row.raw_type,
        origin=row.origin,
    )
    return StoredArticle(
        row.id, article, row.content_hash, row.ingested_at, getattr(row, "sentences", None)
    )
