"""Full-text search over titles and text, ranked, with highlighted snippets.

Only search differs by dialect. ``search()`` picks the implementation for the store's
database: ``SqliteSearch`` (FTS5, BM25 ranking, ``snippet()``) or ``PostgresSearch``
(a generated ``tsvector`` column, ``ts_rank_cd`` and ``ts_headline``); both indexes are
created and kept in sync by migration ``0003_search``.

User queries are never passed to a query language as they are: they are cut into words
and each word is quoted, so ``"``, ``*``, ``NEAR`` or ``-`` in a query are just text.
Highlights come back as segments ``(text, highlighted)`` instead of markup, so the web
layer escapes every character of article text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

from precis.errors import PrecisError
from precis.models import StoredArticle
from precis.store.db import Store, _stored
from precis.store.schema import articles
from precis.text.tokens import stem

# Private-use code points mark highlight boundaries inside snippets: they never occur in
# normal text, and they are stripped from queries so a query cannot forge them.
START, STOP = "\ue000", "\ue001"
_WORD = re.compile(r"\w+")
MAX_QUERY_CHARS = 500  # far beyond a human query; bounds the work one request can ask for
MAX_QUERY_TERMS = 32  # an FTS5 AND of 32 terms is already an empty result in practice
SNIPPET_TOKENS = 24  # ~ one line of context around the matched terms
TITLE_WEIGHT = 5.0  # BM25 column weight: a query word in the title counts 5x one in the body

Segments = tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: StoredArticle
    rank: float
    title: Segments
    snippet: Segments

    def fields(self) -> dict[str, Any]:
        """What the API and ``precis search --format json`` report of a hit beside its
        article: rank, the snippet as plain text, and the matched words in it."""
        return {
            "rank": self.rank,
            "snippet": "".join(text for text, _ in self.snippet),
            "highlights": [text for text, marked in self.snippet if marked],
        }


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str
    terms: tuple[str, ...]
    total: int
    hits: tuple[SearchHit, ...]


class SearchBackend(Protocol):
    def search(
        self, terms: tuple[str, ...], limit: int, offset: int
    ) -> tuple[int, list[SearchHit]]:
        """(total matches, hits best first) for articles containing every term."""
        ...


def query_terms(query: str) -> tuple[str, ...]:
    """The words of a user query, lower-cased, at most ``MAX_QUERY_TERMS``."""
    if len(query) > MAX_QUERY_CHARS:
        raise PrecisError(f"search query is too long: at most {MAX_QUERY_CHARS} characters")
    words = _WORD.findall(query.replace(START, " ").replace(STOP, " ").casefold())
    return tuple(dict.fromkeys(words))[:MAX_QUERY_TERMS]


def search(store: Store, query: str, *, limit: int = 20, offset: int = 0) -> SearchPage:
    terms = query_terms(query)
    if not terms:
        return SearchPage(query, terms, 0, ())
    total, hits = backend(store).search(terms, limit, offset)
    return SearchPage(query, terms, total, tuple(hits))


def backend(store: Store) -> SearchBackend:
    if store.dialect == "sqlite":
        return SqliteSearch(store)
    if store.dialect == "postgresql":
        return PostgresSearch(store)
    raise PrecisError(f"search is not implemented for the {store.dialect} database")


def segments(marked: str) -> Segments:
    """Split text carrying START/STOP marks into (text, highlighted) pieces."""
    out: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{START}{STOP}]", marked)):
        if part:
            out.append((part, i % 2 == 1))
    return tuple(out)


def _stored_hit(row: sa.Row[Any]) -> SearchHit:
    return SearchHit(
        _stored(row), float(row.rank), segments(row.marked_title), segments(row.marked_snippet)
    )


def _run(store: Store, count: sa.Select[Any], query: sa.Select[Any]) -> tuple[int, list[SearchHit]]:
    with store.engine.connect() as conn:
        total: int = conn.execute(count).scalar_one()
        rows = conn.execute(query).all()
    return int(total), [_stored_hit(row) for row in rows]


_FTS = sa.table("articles_fts", sa.column("rowid", sa.Integer))
_FTS_NAME: sa.ColumnClause[Any] = sa.literal_column("articles_fts")


@dataclass(frozen=True, slots=True)
class SqliteSearch:
    """FTS5 with BM25 (title weighted); snippets are cut in Python for the page of hits.

    FTS5's ``snippet()`` re-tokenizes each matching document and cost ~1-2 ms per row in
    ``bench/bench_web.py``; cutting the window in Python from the rows already fetched
    costs a fraction of that. Ranking, matching and title highlights stay in FTS5.
    """

    store: Store

    def search(
        self, terms: tuple[str, ...], limit: int, offset: int
    ) -> tuple[int, list[SearchHit]]:
        expression = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
        match = _FTS_NAME.op("MATCH")(sa.bindparam("match", expression))
        rank = sa.func.bm25(_FTS_NAME, TITLE_WEIGHT, 1.0).label("rank")
        top = (
            sa.select(
                _FTS.c.rowid, rank, sa.func.highlight(_FTS_NAME, 0, START, STOP).label("marked")
            )
            .where(match)
            .order_by(rank, _FTS.c.rowid.desc())
            .limit(limit)
            .offset(offset)
        )
        count = sa.select(sa.func.count()).select_from(_FTS).where(match)
        with self.store.engine.connect() as conn:
            total: int = conn.execute(count).scalar_one()
            ranked = conn.execute(top).all()
            ids = [row.rowid for row in ranked]
            rows = {
                row.id: row
                for row in conn.execute(sa.select(articles).where(articles.c.id.in_(ids)))
            }
        hits = []
        for row in ranked:
            stored = _stored(rows[row.rowid])
            title = segments(row.marked)
            hits.append(SearchHit(stored, float(row.rank), title, snippet(stored.text, terms)))
        return int(total), hits


def snippet(text: str, terms: tuple[str, ...], width: int = SNIPPET_TOKENS) -> Segments:
    """The ``width``-word window of ``text`` holding the most query terms, terms marked.

    Words match a term when their light stems agree, close to FTS5's porter matching.
    """
    wanted = {stem(term) for term in terms}
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return ()
    hits = [i for i, m in enumerate(tokens) if stem(m.group(0).casefold()) in wanted]
    best = max(hits, key=lambda i: sum(1 for j in hits if i <= j < i + width), default=0)
    first = max(0, min(best - width // 4, len(tokens) - width))
    last = min(len(tokens), first + width) - 1
    out: list[tuple[str, bool]] = []
    if first > 0:
        out.append(("…", False))
    cursor = tokens[first].start()
    for i in (i for i in hits if first <= i <= last):
        m = tokens[i]
        if m.start() > cursor:
            out.append((text[cursor : m.start()], False))
        out.append((m.group(0), True))
        cursor = m.end()
    end = tokens[last].end()
    if end > cursor:
        out.append((text[cursor:end], False))
    if last < len(tokens) - 1:
        out.append(("…", False))
    return tuple((part.replace("\n", " "), marked) for part, marked in out)


_PG_HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, MaxFragments=1"
_PG_TITLE = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"


@dataclass(frozen=True, slots=True)
class PostgresSearch:
    """``ts_rank_cd`` over the generated ``search_vector`` column, ``ts_headline`` snippets.

    The search and web search tests run it against a real PostgreSQL server
    (tests/pgserver.py), as they run ``SqliteSearch``.
    """

    store: Store

    def search(
        self, terms: tuple[str, ...], limit: int, offset: int
    ) -> tuple[int, list[SearchHit]]:
        tsquery = sa.func.plainto_tsquery("english", " ".join(terms))
        vector: sa.ColumnClause[Any] = sa.literal_column("articles.search_vector")
        match = vector.op("@@")(tsquery)
        rank = (-sa.func.ts_rank_cd(vector, tsquery)).label("rank")
        query = (
            sa.select(
                articles,
                rank,
                sa.func.ts_headline("english", articles.c.title, tsquery, _PG_TITLE).label(
                    "marked_title"
                ),
                sa.func.ts_headline("english", articles.c.text, tsquery, _PG_HEADLINE).label(
                    "marked_snippet"
                ),
            )
            .where(match)
            .order_by(rank, articles.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        count = sa.select(sa.func.count()).select_from(articles).where(match)
        return _run(self.store, count, query)
