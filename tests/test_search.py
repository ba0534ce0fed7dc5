"""Full-text search: ranking, snippets, query safety, index sync and the migration.

On SQLite and on PostgreSQL (the ``any_store`` fixture of conftest.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Precis
from precis.models import Article
from precis.store import Store
from precis.store.db import alembic_config
from precis.store.search import START, STOP, query_terms, search, snippet


def add(store: Store, title: str, text: str, day: int = 1) -> int:
    published = datetime(2026, 10, day, tzinfo=UTC)
    return store.add(Article(title, text, source="Wire", published=published)).id


def test_title_matches_rank_first_and_terms_are_marked(any_store: Store) -> None:
    body = add(any_store, "Council news", "The ferry strike went on. Ferry crews met.")
    title = add(any_store, "Ferry strike ends", "Crews returned to work on Monday.")
    page = search(any_store, "ferry strike")
    assert [hit.article.id for hit in page.hits] == [title, body]
    assert page.total == 2
    assert ("Ferry", True) in page.hits[0].title
    assert any(marked and text.lower() == "strike" for text, marked in page.hits[1].snippet)


def test_stemmed_matching_and_all_terms_required(any_store: Store) -> None:
    add(any_store, "Strikes spread", "Dock workers are striking across the coast.")
    add(any_store, "Rain", "It rained all day on the coast.")
    assert search(any_store, "strike").total == 1
    assert search(any_store, "coast").total == 2
    assert search(any_store, "coast strike").total == 1
    assert search(any_store, "nothing-like-this").total == 0


def test_index_follows_insert_update_delete(any_store: Store) -> None:
    first = add(any_store, "Library reopens", "Readers queued early.")
    assert search(any_store, "library").total == 1
    stored = any_store.get(first)
    any_store.replace_text(first, replace(stored.article, text="The museum reopened instead."))
    assert search(any_store, "museum").total == 1
    assert search(any_store, "readers").total == 0
    any_store.delete(first)
    assert search(any_store, "museum").total == 0


def test_pagination_is_disjoint(any_store: Store) -> None:
    for n in range(7):
        add(any_store, f"Tram item {n}", f"Tram news number {n}.", day=n + 1)
    first = search(any_store, "tram", limit=4)
    second = search(any_store, "tram", limit=4, offset=4)
    ids = [h.article.id for h in first.hits + second.hits]
    assert len(ids) == len(set(ids)) == 7


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_any_query_is_safe(query: str) -> None:
    terms = query_terms(query)
    assert all(START not in t and STOP not in t and '"' not in t for t in terms)


def test_query_syntax_never_reaches_fts(store: Store) -> None:
    add(store, "Quotes", 'He said "no" and NEAR the end; OR maybe * not.')
    for query in ['"', "NEAR(", "OR", "*", "AND NOT", "col:value", "^start", "'"]:
        search(store, query)  # must not raise an FTS5 syntax error


def test_snippet_window_and_marks() -> None:
    text = " ".join(f"w{i}" for i in range(100)) + " ferry crews strike"
    cut = snippet(text, ("ferry", "strike"), width=10)
    marked = [t for t, m in cut if m]
    assert marked == ["ferry", "strike"]
    assert cut[0] == ("…", False)
    assert snippet("", ("x",)) == ()
    assert "".join(t for t, _ in snippet("a b c", ("zzz",))) == "a b c"


def test_migration_down_and_up_on_sqlite(store: Store, db_url: str) -> None:
    add(store, "Bridge closes", "Engineers found cracks.")
    config = alembic_config(db_url)
    command.downgrade(config, "0001_core")
    with store.engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
    assert "articles_fts" not in tables
    store.migrate()
    assert search(store, "cracks").total == 1  # the upgrade indexes existing rows


def test_cli_search_lists_best_first_with_snippets(precis: Precis, store: Store) -> None:
    body = add(store, "Council news", "The ferry strike went on. Ferry crews met.", day=2)
    title = add(store, "Ferry strike ends", "Crews returned to work on Monday.", day=3)
    add(store, "Rain", "It rained all day on the coast.")
    found = precis("search", "ferry", "strikes", "--format", "json")
    assert found.exit_code == 0, found.output
    listing = json.loads(found.stdout)
    assert listing["total"] == 2
    assert [r["id"] for r in listing["results"]] == [title, body]
    assert "ferry" in [h.lower() for h in listing["results"][1]["highlights"]]
    text = precis("search", "ferry", "strike", "-n", "1")
    assert text.stdout.splitlines()[0].split()[:3] == [str(title), "2026-10-03", "Wire:"]
    assert "2 matching articles" in text.stderr
    none = precis("search", "--", "-!-")
    assert none.exit_code == 1
    assert "no words to search for" in none.output
