"""Feed tables: the migration matches schema.py, settings parse, URL normalisation holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import given
from hypothesis import strategies as st

from precis.config import Settings
from precis.errors import ConfigError
from precis.ingest.urls import normalise_url
from precis.store import Store
from precis.store import feeds as feed_store
from precis.store.schema import metadata


def test_migration_creates_exactly_the_schema(store: Store) -> None:
    assert store.revision() == store.head_revision()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _not_search_index})
        diff = compare_metadata(context, metadata)
    assert diff == []


def _not_search_index(name: str | None, type_: str, _parent: object) -> bool:
    """The FTS5 index (virtual table and shadow tables) is created by SQL, not schema.py."""
    return not (type_ == "table" and name is not None and name.startswith("articles_fts"))


def test_feed_state_round_trip(store: Store) -> None:
    feed = feed_store.add_feed(store, "https://e.com/rss", "E", 600)
    now = datetime.now(UTC)
    assert feed_store.due_feeds(store, now) == [feed]
    feed_store.record_success(
        store, feed, now, etag='"x"', last_modified=None, title="T", site_url=None,
        added=3, entry_error=None,
    )  # fmt: skip
    stored = feed_store.get_feed(store, "E")
    assert (stored.etag, stored.articles_added, stored.last_status) == ('"x"', 3, "ok")
    assert stored.next_due_at == pytest.approx(
        now + timedelta(seconds=600), abs=timedelta(seconds=1)
    )
    assert feed_store.next_due(store) == stored.next_due_at
    assert feed_store.due_feeds(store, now) == []
    feed_store.record_entry(store, feed.id, "k1", None, "boom")
    assert feed_store.finished_entries(store, feed.id) == set()
    feed_store.record_entry(store, feed.id, "k1", None, "boom")
    feed_store.record_entry(store, feed.id, "k1", None, "boom")
    assert feed_store.finished_entries(store, feed.id) == {"k1"}  # given up after 3
    feed_store.remove_feed(store, feed.id)
    assert feed_store.list_feeds(store) == []


def test_fetch_settings_from_the_environment() -> None:
    settings = Settings.load(
        {"PRECIS_FETCH_ALLOW": "intranet.example, 10.0.0.0/8", "PRECIS_POLL_FEEDS": "off"}
    )
    assert settings.fetch_allow == ("intranet.example", "10.0.0.0/8")
    assert settings.poll_feeds is False
    assert ("fetch_allow", "intranet.example,10.0.0.0/8") in [
        (name, value) for name, value, _ in settings.describe()
    ]
    with pytest.raises(ConfigError, match="PRECIS_FETCH_TIMEOUT"):
        Settings.load({"PRECIS_FETCH_TIMEOUT": "0"})


@given(
    path=st.text(alphabet="abcdefghij/-", max_size=20),
    params=st.dictionaries(st.sampled_from(["id", "page", "utm_source", "fbclid", "q"]), st.text(alphabet="abc123", min_size=1, max_size=5)),
)  # fmt: skip
def test_normalise_url_is_idempotent_and_drops_trackers(path: str, params: dict[str, str]) -> None:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    url = f"https://News.Example.com/{path}?{query}#frag"
    once = normalise_url(url)
    assert normalise_url(once) == once
    assert "utm_source" not in once
    assert "fbclid" not in once
    assert "#" not in once
