"""The store over a real SQLite file: dedupe, listing, transactions, migrations, cache."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from precis.config import Settings
from precis.errors import NotFound, StoreError
from precis.models import Article
from precis.pipeline import ingest, stored_summary, summarize_stored
from precis.store import Store
from precis.store.db import content_hash
from precis.store.schema import articles, summaries
from precis.summarize import Length

TEXT = (
    "The council voted 7-2 on Tuesday to approve a larger budget.\n"
    "The mayor called the vote historic. Opponents said taxes would rise.\n"
    "The budget takes effect in January."
)


def article(text: str = TEXT, **fields: Any) -> Article:
    return Article(title=fields.pop("title", "Budget passes"), text=text, **fields)


def day(d: int) -> datetime:
    return datetime(2026, 10, d, 12, tzinfo=UTC)


def test_wal_mode_and_schema_at_head(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert store.revision() == store.head_revision()


def test_migrate_is_idempotent(db_url: str) -> None:
    with Store.open(db_url) as first:
        first.add(article())
    with Store.open(db_url) as again:
        again.migrate()
        assert again.count() == 1


def test_add_get_roundtrip(store: Store) -> None:
    given = article(url="https://n.example/1", source="News", published=day(3), raw="r")
    result = store.add(given)
    assert (result.created, result.reason) == (True, "added")
    stored = store.get(result.id)
    assert stored.article == given
    assert stored.content_hash == content_hash(TEXT)
    assert stored.ingested_at.tzinfo is not None


def test_same_url_is_already_stored(store: Store) -> None:
    first = store.add(article(url="https://n.example/1"))
    again = store.add(article("Completely different text.", url="https://n.example/1"))
    assert (again.created, again.id, again.reason) == (False, first.id, "same url")
    assert store.count() == 1


def test_same_normalised_content_is_already_stored(store: Store) -> None:
    first = store.add(article(url="https://n.example/1"))
    shouted = "  " + TEXT.upper().replace(".", " !").replace("\n", "\n\n  ") + "  "
    again = store.add(article(shouted, url="https://mirror.example/1"))
    assert (again.created, again.id, again.reason) == (False, first.id, "same content")


def test_list_newest_first_with_filters(store: Store) -> None:
    ids = {}
    for d, source in [(3, "A"), (9, "B"), (5, "A"), (7, "B")]:
        ids[d] = store.add(article(f"Story on day {d}.", source=source, published=day(d))).id
    undated = store.add(article("No date on this one.")).id
    assert [s.id for s in store.list()] == [ids[9], ids[7], ids[5], ids[3], undated]
    assert [s.id for s in store.list(source="A")] == [ids[5], ids[3]]
    assert [s.id for s in store.list(since=day(5), until=day(9))] == [ids[7], ids[5]]
    assert store.sources() == [("A", 2), ("B", 2)]


def test_delete_cascades_to_cached_summaries(store: Store) -> None:
    added = store.add(article())
    summarize_stored(store, added.id, Length(sentences=1), "lead")
    store.delete(added.id)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(summaries)).scalar() == 0
    with pytest.raises(NotFound):
        store.get(added.id)
    with pytest.raises(NotFound):
        store.delete(added.id)


def _via_cli_path(store: Store, article_id: int, length: Length, method: str) -> Any:
    return summarize_stored(store, article_id, length, method)[1]


@pytest.mark.parametrize("summary_of", [_via_cli_path, stored_summary])
def test_summary_cache_is_used_and_invalidated_when_text_changes(
    store: Store, summary_of: Any
) -> None:
    added = store.add(article())
    first = summary_of(store, added.id, Length(sentences=1), "lead")
    assert first.sentences[0].text.startswith("The council voted")
    with store.engine.begin() as conn:  # prove the next read comes from the cache
        conn.execute(sa.update(summaries).values(payload=[{**_payload(first), "text": "CACHED"}]))
    cached = summary_of(store, added.id, Length(sentences=1), "lead")
    assert cached.sentences[0].text == "CACHED"
    changed = "A new first sentence replaces the old lead. " + TEXT
    store.replace_text(added.id, article(changed))
    fresh = summary_of(store, added.id, Length(sentences=1), "lead")
    assert fresh.sentences[0].text == "A new first sentence replaces the old lead."
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(summaries.c.content_hash)).one()
    assert row.content_hash == content_hash(changed)


def test_stored_summary_of_a_missing_article_is_not_found(store: Store) -> None:
    added = store.add(article())
    stored_summary(store, added.id, Length(sentences=1), "lead")
    store.delete(added.id)
    with pytest.raises(NotFound):
        stored_summary(store, added.id, Length(sentences=1), "lead")
    assert store.current_summary(added.id, "lead", "s1") is None


def _payload(summary: Any) -> dict[str, Any]:
    s = summary.sentences[0]
    return {"index": s.index, "start": s.start, "end": s.end, "text": s.text}


def test_replace_text_refuses_to_duplicate_another_article(store: Store) -> None:
    store.add(article("First article text."))
    second = store.add(article("Second article text.")).id
    with pytest.raises(StoreError, match="duplicate"):
        store.replace_text(second, article("First article text."))
    assert store.get(second).text == "Second article text."


def test_unwritable_database_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot"):
        Store.open(f"sqlite:///{blocker}/sub/precis.db")


def test_failure_midway_through_a_batch_leaves_only_whole_articles(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    """The third INSERT really runs, then the connection fails before commit: the third
    article must be rolled back whole, the first two kept, and a re-run must finish."""
    corpus = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": f"n{i}", "title": f"Story {i}", "text": f"Body of story number {i}."})
        for i in range(5)
    ]
    corpus.write_text("\n".join(lines) + "\n")
    inserts = []

    def crash_on_third_insert(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ARTICLES"):
            inserts.append(statement)
            if len(inserts) == 3:
                raise RuntimeError("simulated crash after the INSERT, before COMMIT")

    sa.event.listen(store.engine, "after_cursor_execute", crash_on_third_insert)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest(store, [str(corpus)], settings)
    sa.event.remove(store.engine, "after_cursor_execute", crash_on_third_insert)

    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(articles).order_by(articles.c.id)).all()
    assert [r.external_id for r in rows] == ["n0", "n1"]
    for row in rows:
        assert row.content_hash == content_hash(row.text)
        assert row.word_count == len(row.text.split())
        assert row.raw is not None

    report = ingest(store, [str(corpus)], settings)
    assert (len(report.added), len(report.existing), len(report.failed)) == (3, 2, 0)
    assert store.count() == 5


def test_summary_cache_write_is_skipped_not_waited_for_while_another_writer_holds_the_lock(
    store: Store, db_url: str
) -> None:
    stored = store.add(
        Article("Dock strike", "Dock workers walked out. The union said talks failed.")
    )
    blocker = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another process is writing
        _, summary = summarize_stored(store, stored.id, Length(sentences=1), "lead")
        assert summary.sentences[0].text == "Dock workers walked out."
    finally:
        blocker.rollback()
        blocker.close()
    digest = store.get(stored.id).content_hash
    assert store.cached_summary(stored.id, "lead", "s1", digest) is None  # skipped, not queued
    summarize_stored(store, stored.id, Length(sentences=1), "lead")
    assert store.cached_summary(stored.id, "lead", "s1", digest) is not None


def test_sentence_split_is_stored_with_the_text_and_filled_when_missing(store: Store) -> None:
    from precis.store.schema import articles
    from precis.text.sentences import decode, parse

    text = "The council met on Monday. It approved the budget.\nResidents objected."
    added = store.add(Article(title="Budget", text=text))
    stored = store.get(added.id)
    assert decode(stored.sentences, stored.text, stored.title) == parse(text, "Budget")
    new_text = "The council met again. It delayed the vote."
    store.replace_text(added.id, Article(title="Budget", text=new_text))
    again = store.get(added.id)
    assert decode(again.sentences, again.text, again.title) == parse(new_text, "Budget")
    with store.engine.begin() as conn:  # as rows loaded in bulk arrive: no split stored
        conn.execute(sa.update(articles).values(sentences=None))
    assert store.get(added.id).sentences is None
    assert store.fill_sentences() == 1
    assert store.fill_sentences() == 0
    filled = store.get(added.id)
    assert decode(filled.sentences, filled.text, filled.title) == parse(new_text, "Budget")


def test_json_columns_the_standard_library_wrote_still_read(store: Store) -> None:
    """JSON columns are read with orjson, which refuses NaN; values ``json.dumps`` wrote
    (a NaN score, say) must still come back rather than break the read."""
    added = store.get(store.add(Article(title="T", text="One sentence. Another one.")).id)
    payload = [{"index": 0, "score": float("nan"), "big": 2**70}]
    store.cache_summary(added.id, "lead", "s1", added.content_hash, payload)
    found = store.cached_summary(added.id, "lead", "s1", added.content_hash)
    assert found is not None
    assert found[0]["big"] == 2**70
    assert found[0]["score"] != found[0]["score"]  # NaN
