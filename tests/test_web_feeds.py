"""Feeds in the reader: the app's lifespan polls feeds from a real 127.0.0.1 server, and
the sources page and ``/api/feeds`` show each feed's health."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from conftest import Precis
from precis.config import Settings
from precis.store import Store
from precis.store import feeds as feed_store
from precis.web import create_app
from test_feeds import rss, serve_feed
from web_helpers import IMG, XSS
from webserver import Reply, WebServer

WAIT = 15.0  # seconds the background poller gets to fetch and store two entries


def wait_for(condition: object, seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the background poller did not get there in time"
        time.sleep(0.05)


def test_served_app_polls_feeds_and_shows_their_health(
    fetch_settings: Settings, store: Store, web: WebServer
) -> None:
    good = serve_feed(web, "/feed.xml", rss([("g1", "harbour", True), ("g2", "council", True)]))
    web.routes["/gone.xml"] = Reply(404, b"not here")
    feed_store.add_feed(store, good, "Gazette", 1800)
    broken = feed_store.add_feed(store, web.url("/gone.xml"), "Gone Gazette", 1800)
    with TestClient(create_app(fetch_settings, store)) as client:
        wait_for(lambda: store.count() == 2)
        wait_for(lambda: feed_store.get_feed(store, broken.id).last_status == "error")
        page = client.get("/sources").text
        api = client.get("/api/feeds").json()
    titles = {stored.title for stored in store.list(limit=10)}
    assert titles == {"Feed title harbour", "Feed title council"}
    assert "Gazette" in page
    assert good in page
    assert "2 articles gained" in page
    assert "1 failing" in page
    failing = page.split('id="feed-2"', 1)[1].split("</li>", 1)[0]
    assert 'class="item feed failing"' in page.split('id="feed-2"', 1)[0][-60:]
    assert "404" in failing
    assert "1 error in a row" in failing
    by_name = {feed["name"]: feed for feed in api["feeds"]}
    assert by_name["Gazette"]["status"] == "ok"
    assert by_name["Gazette"]["articles_added"] == 2
    assert by_name["Gazette"]["failing"] is False
    assert by_name["Gone Gazette"]["failing"] is True
    assert by_name["Gone Gazette"]["error_count"] == 1
    assert "404" in by_name["Gone Gazette"]["last_error"]


def test_feed_name_and_error_are_text_not_markup(settings: Settings, store: Store) -> None:
    feed = feed_store.add_feed(store, "https://feeds.example/x.xml", f"Wire {XSS}", 1800)
    feed_store.record_failure(store, feed, datetime.now(UTC), f"parse error near {IMG}")
    with TestClient(create_app(settings, store, poll_feeds=False)) as client:
        page = client.get("/sources").text
    assert "<script>window" not in page
    assert "<img src=x" not in page
    assert "Wire &lt;script&gt;window.__pwned" in page
    assert "parse error near &lt;img src=x onerror=" in page


@pytest.mark.parametrize("how", ["argument", "setting"])
def test_polling_can_be_switched_off(
    fetch_settings: Settings, store: Store, web: WebServer, how: str
) -> None:
    feed_store.add_feed(store, serve_feed(web, "/feed.xml", rss([("g1", "bridge", True)])), "G", 60)
    if how == "argument":
        app = create_app(fetch_settings, store, poll_feeds=False)
    else:
        off = Settings.load(
            {"PRECIS_POLL_FEEDS": "false"}, database_url=fetch_settings.database_url
        )
        app = create_app(off, store)
    with TestClient(app) as client:
        assert client.get("/sources").status_code == 200
        time.sleep(0.5)
    assert web.seen == []
    assert store.count() == 0


def test_serve_has_a_no_poll_flag(precis: Precis) -> None:
    result = precis("serve", "--help")
    assert result.exit_code == 0
    assert "--no-poll" in result.output
