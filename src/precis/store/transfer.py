"""Move a database between backends: a lossless JSONL export/import, and bulk loading.

The export is one JSON object per line. The first line is a header
``{"type": "precis-export", "version": 1, "schema": [...]}``; every other line is a record
``{"type": <record type>, ...columns}``. Records refer to articles by ``content_hash``, never
by database id, so an import into a database that already holds articles (with other ids)
stays consistent, and re-importing is a no-op (every insert is ``ON CONFLICT DO NOTHING``).

Each record type is a ``RecordType`` in ``RECORD_TYPES``, exported in that order; the
stories, feeds and entities types live in ``precis.store.records`` (which also says which
derived tables are rebuilt on import instead of exported).

``bulk_load`` is the fast path for batch results: rows go into a staging table (``COPY`` on
PostgreSQL, ``executemany`` on SQLite), then one ``INSERT … SELECT … ON CONFLICT DO NOTHING``
moves them in, so a load is idempotent and safe beside concurrent writers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.cluster.assign import Params
from precis.errors import InputError, invalid_json
from precis.store import records
from precis.store.db import Store
from precis.store.schema import articles, summaries

FORMAT = "precis-export"
VERSION = 1
CHUNK = 1000  # rows per statement: large enough to amortise round trips, small in memory

ARTICLE_COLUMNS = (
    "content_hash", "url", "external_id", "title", "text", "source", "author",
    "published", "ingested_at", "word_count", "raw", "raw_type", "origin", "sentences",
)  # fmt: skip
SUMMARY_COLUMNS = ("content_hash", "method", "length_key", "payload", "created_at")
DATETIME_COLUMNS = frozenset({"published", "ingested_at", "created_at"}) | records.DATETIME_COLUMNS

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecordType:
    """One exported table: how to read its rows out and how to write a chunk back."""

    name: str
    export: Callable[[Connection], Iterator[Row]]
    # (store, connection, a chunk of rows, the grouping settings) -> rows inserted
    load: Callable[[Store, Connection, Sequence[Row], Params], int]


@dataclass(slots=True)
class TransferReport:
    read: dict[str, int] = field(default_factory=dict)
    inserted: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, read: int, inserted: int) -> None:
        self.read[kind] = self.read.get(kind, 0) + read
        self.inserted[kind] = self.inserted.get(kind, 0) + inserted


# -- export --------------------------------------------------------------------------------
def export_jsonl(store: Store, out: IO[str]) -> TransferReport:
    """Write every record of every type to ``out``."""
    report = TransferReport()
    header = {"type": FORMAT, "version": VERSION, "schema": list(store.revision())}
    out.write(json.dumps(header) + "\n")
    with store.engine.connect() as conn:
        for kind in RECORD_TYPES.values():
            for row in kind.export(conn):
                out.write(json.dumps({"type": kind.name, **encode(row)}, ensure_ascii=False))
                out.write("\n")
                report.count(kind.name, 1, 0)
    return report


def _export_articles(conn: Connection) -> Iterator[Row]:
    columns = [articles.c[name] for name in ARTICLE_COLUMNS]
    yield from _paged(conn, sa.select(articles.c.id, *columns), articles.c.id)


def _export_summaries(conn: Connection) -> Iterator[Row]:
    query = sa.select(
        articles.c.id,
        articles.c.content_hash,
        summaries.c.method,
        summaries.c.length_key,
        summaries.c.payload,
        summaries.c.created_at,
        summaries.c.content_hash.label("summary_hash"),
    ).join(articles, articles.c.id == summaries.c.article_id)
    for row in _paged(conn, query, articles.c.id, unique=False):
        if row.pop("summary_hash") == row["content_hash"]:  # stale cache entries stay behind
            yield row


def _paged(
    conn: Connection, query: sa.Select[Any], key: sa.ColumnElement[int], unique: bool = True
) -> Iterator[Row]:
    """Rows in ``key`` order, CHUNK at a time (keyset paging; ``id`` is dropped)."""
    if not unique:  # a few summaries per article: page by article id over the whole group
        streamed = conn.execution_options(stream_results=True, max_row_buffer=CHUNK)
        for row in streamed.execute(query.order_by(key)).mappings():
            yield {k: v for k, v in row.items() if k != "id"}
        return
    last = 0
    while True:
        rows = list(conn.execute(query.where(key > last).order_by(key).limit(CHUNK)).mappings())
        if not rows:
            return
        for row in rows:
            yield {k: v for k, v in row.items() if k != "id"}
        last = rows[-1]["id"]


def encode(row: Row) -> Row:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


def decode(row: Row) -> Row:
    return {
        k: datetime.fromisoformat(v) if k in DATETIME_COLUMNS and isinstance(v, str) else v
        for k, v in row.items()
    }


# -- import --------------------------------------------------------------------------------
def import_jsonl(
    store: Store, lines: Iterable[str], origin: str = "-", params: Params | None = None
) -> TransferReport:
    """Insert every record; records already present (same URL or text) are skipped.
    ``params``: the grouping settings the imported stories are indexed with."""
    params = params or Params()
    report = TransferReport()
    pending: dict[str, list[Row]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = _parse(line, f"{origin}:{number}")
        kind = record.pop("type")
        if number == 1 or kind == FORMAT:
            _check_header(record, kind, f"{origin}:{number}")
            continue
        if kind not in RECORD_TYPES:
            raise InputError(f"{origin}:{number}", f"unknown record type {kind!r}")
        # a record may refer to an earlier type (a summary to its article): flush those first
        for earlier in _before(kind):
            _flush(store, earlier, pending, report, params)
        pending.setdefault(kind, []).append(decode(record))
        if len(pending[kind]) >= CHUNK:
            _flush(store, kind, pending, report, params)
    for kind in RECORD_TYPES:
        _flush(store, kind, pending, report, params)
    return report


def _parse(line: str, where: str) -> Row:
    try:
        record = json.loads(line.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        raise InputError(where, invalid_json(exc)) from exc
    if not isinstance(record, dict) or not isinstance(record.get("type"), str):
        raise InputError(where, "each line must be an object with a 'type'")
    return record


def _check_header(record: Row, kind: str, where: str) -> None:
    if kind != FORMAT:
        raise InputError(where, "not a precis export (the first line must be its header)")
    if record.get("version") != VERSION:
        raise InputError(where, f"export version {record.get('version')} is not {VERSION}")


def _before(kind: str) -> list[str]:
    names = list(RECORD_TYPES)
    return names[: names.index(kind)]


def _flush(
    store: Store,
    kind: str,
    pending: dict[str, list[Row]],
    report: TransferReport,
    params: Params,
) -> None:
    rows = pending.pop(kind, [])
    if not rows:
        return
    # serialised: imported stories are filed in the story index, like an assignment's
    with store.serialised() as conn:
        inserted = RECORD_TYPES[kind].load(store, conn, rows, params)
    report.count(kind, len(rows), inserted)


def _load_articles(store: Store, conn: Connection, rows: Sequence[Row], params: Params) -> int:
    values = [{name: row.get(name) for name in ARTICLE_COLUMNS} for row in rows]
    return _inserted(conn, insert_ignore(store, articles).returning(articles.c.id), values)


def _load_summaries(store: Store, conn: Connection, rows: Sequence[Row], params: Params) -> int:
    hashes = {row["content_hash"] for row in rows}
    ids = dict(
        conn.execute(
            sa.select(articles.c.content_hash, articles.c.id).where(
                articles.c.content_hash.in_(hashes)
            )
        ).all()
    )
    values = [
        {
            "article_id": ids[row["content_hash"]],
            "method": row["method"],
            "length_key": row["length_key"],
            "content_hash": row["content_hash"],
            "payload": row["payload"],
            "created_at": row["created_at"],
        }
        for row in rows
        if row["content_hash"] in ids
    ]
    if not values:
        return 0
    statement = insert_ignore(store, summaries).returning(summaries.c.article_id)
    return _inserted(conn, statement, values)


def _inserted(conn: Connection, statement: Any, values: Sequence[Row]) -> int:
    """Run an executemany insert; RETURNING yields only the rows that went in."""
    return len(conn.execute(statement, values).all())


def insert_ignore(store: Store, table: sa.Table) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` in the store's dialect (rows given at execute)."""
    return store._insert(table).on_conflict_do_nothing()


RECORD_TYPES: dict[str, RecordType] = {
    "article": RecordType("article", _export_articles, _load_articles),
    "summary": RecordType("summary", _export_summaries, _load_summaries),
    "feed": RecordType("feed", records.export_feeds, records.load_feeds),
    "feed_entry": RecordType("feed_entry", records.export_feed_entries, records.load_feed_entries),
    "entity": RecordType("entity", records.export_entities, records.load_entities),
    "entity_analysis": RecordType(
        "entity_analysis", records.export_analyses, records.load_analyses
    ),
    "story": RecordType("story", records.export_stories, records.load_stories),
}


# -- bulk load (batch results) -------------------------------------------------------------
def bulk_load(store: Store, article_rows: Iterable[Row], summary_rows: Iterable[Row]) -> Row:
    """Load articles, then their summaries (matched by ``content_hash``), in one transaction.

    Rows have ``ARTICLE_COLUMNS`` / ``SUMMARY_COLUMNS``; summary payloads are JSON strings.
    Returns ``{"articles": inserted, "summaries": inserted}``.
    """
    staged_articles = _staging("precis_stage_articles", ARTICLE_COLUMNS)
    staged_summaries = _staging("precis_stage_summaries", SUMMARY_COLUMNS)
    with store.engine.begin() as conn:
        for table in (staged_articles, staged_summaries):
            table.create(conn)
        _stage(conn, staged_articles, ARTICLE_COLUMNS, article_rows)
        _stage(conn, staged_summaries, SUMMARY_COLUMNS, summary_rows)
        loaded = {
            "articles": _move(conn, _ARTICLES_FROM_STAGE),
            "summaries": _move(conn, _summaries_from_stage(conn.dialect.name)),
        }
        for table in (staged_articles, staged_summaries):
            table.drop(conn)
    return loaded


def _staging(name: str, columns: Sequence[str]) -> sa.Table:
    """A temporary table with the target's column types plus an input-order ``seq``."""
    types = {c.name: c.type for c in (*articles.columns, *summaries.columns)}
    payload = sa.Text()  # JSON arrives as text; the final INSERT casts it
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("seq", sa.BigInteger),
        *(sa.Column(c, payload if c == "payload" else types[c]) for c in columns),
        prefixes=["TEMPORARY"],
    )


def _stage(conn: Connection, table: sa.Table, columns: Sequence[str], rows: Iterable[Row]) -> None:
    numbered = ({"seq": n, **{c: row.get(c) for c in columns}} for n, row in enumerate(rows))
    if conn.dialect.name == "postgresql":
        _copy(conn, table.name, ["seq", *columns], numbered)
        return
    chunk: list[Row] = []
    for row in numbered:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            conn.execute(table.insert(), chunk)
            chunk = []
    if chunk:
        conn.execute(table.insert(), chunk)


def _copy(conn: Connection, table: str, columns: list[str], rows: Iterable[Row]) -> None:
    """PostgreSQL's COPY FROM STDIN through psycopg, inside SQLAlchemy's transaction."""
    driver = conn.connection.driver_connection
    assert driver is not None
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


_ARTICLES_FROM_STAGE = sa.text(
    f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) "
    f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM precis_stage_articles "
    "WHERE true ORDER BY seq ON CONFLICT DO NOTHING"  # WHERE true: SQLite's parser needs it
)


def _summaries_from_stage(dialect: str) -> sa.TextClause:
    # PostgreSQL will not turn text into json implicitly; SQLite stores JSON as text already
    # (and CAST(... AS JSON) there would mean NUMERIC affinity, which mangles it).
    payload = "CAST(s.payload AS json)" if dialect == "postgresql" else "s.payload"
    return sa.text(
        "INSERT INTO summaries (article_id, method, length_key, content_hash, payload, created_at) "
        f"SELECT a.id, s.method, s.length_key, s.content_hash, {payload}, s.created_at "
        "FROM precis_stage_summaries s JOIN articles a ON a.content_hash = s.content_hash "
        "WHERE true ORDER BY s.seq ON CONFLICT DO NOTHING"
    )


def _move(conn: Connection, statement: sa.TextClause) -> int:
    return int(conn.execute(statement).rowcount or 0)
