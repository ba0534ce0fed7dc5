"""The feed commands and ``precis add URL`` through the CLI, against a local server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FETCH_TEST_SETTINGS, Precis
from precis.store import Store
from precis.store.stories import StoryStore
from test_feeds import article_html, atom, rss, serve_feed, serve_pages
from webserver import Reply, WebServer


@pytest.fixture
def fetch_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FETCH_TEST_SETTINGS.items():
        text = ",".join(value) if isinstance(value, tuple) else str(value)
        monkeypatch.setenv(f"PRECIS_{name.upper()}", text)


def test_feed_add_ls_rm(precis: Precis) -> None:
    result = precis("feed", "add", "https://news.example.com/rss?utm_source=x", "--name", "News")
    assert result.exit_code == 0, result.output
    assert "subscribed: #1 News https://news.example.com/rss" in result.output
    again = precis("feed", "add", "https://news.example.com/rss")
    assert again.exit_code == 1
    assert "already subscribed" in again.output
    listed = precis("feed", "ls", "--format", "json")
    assert json.loads(listed.output)[0]["status"] is None
    assert precis("feed", "rm", "News").exit_code == 0
    assert json.loads(precis("feed", "ls", "--format", "json").output) == []


@pytest.mark.parametrize("interval", ["10s", "soon", "5x"])
def test_feed_add_rejects_bad_intervals(precis: Precis, interval: str) -> None:
    result = precis("feed", "add", "https://e.com/rss", "--interval", interval)
    assert result.exit_code == 1
    assert "--interval" in result.output


def test_feed_add_rejects_other_schemes(precis: Precis) -> None:
    result = precis("feed", "add", "file:///etc/passwd")
    assert result.exit_code == 1
    assert "not an http or https URL" in result.output


def test_fetch_polls_due_feeds_and_ls_shows_health(
    precis: Precis, web: WebServer, fetch_env: None
) -> None:
    good = serve_feed(web, "/rss", rss([("g1", "harbour", True), ("g2", "river", True)]))
    web.routes["/broken"] = Reply(500)
    precis("feed", "add", good, "--name", "Good", "--interval", "30m")
    precis("feed", "add", web.url("/broken"), "--name", "Broken")
    result = precis("fetch")
    assert result.exit_code == 1  # one feed failed
    assert "Good: ok, 2 added" in result.output
    assert "error: Broken:" in result.output
    assert "HTTP 500 after 3 attempts" in result.output
    listed = precis("feed", "ls")
    assert "Good" in listed.output
    assert "error: http" in listed.output
    nothing = precis("fetch")
    assert "no feed is due" in nothing.output
    assert precis("ls").output.count("Feed title") == 2


def test_opml_import_and_export(precis: Precis, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="Folder">'
        '<outline text="One" xmlUrl="https://one.example/rss"/>'
        '<outline text="Two" xmlUrl="https://two.example/atom"/></outline>'
        '<outline text="Bad" xmlUrl="ftp://three.example/feed"/></body></opml>'
    )
    result = precis("feed", "import", str(opml))
    assert "2 subscribed, 0 already subscribed, 1 failed" in result.output
    assert precis("feed", "import", str(opml)).output.startswith("error")  # bad one again
    exported = precis("feed", "export").output
    assert 'xmlUrl="https://one.example/rss"' in exported
    assert 'text="Two"' in exported


def test_add_url_fetches_and_ingests_a_page(
    precis: Precis, web: WebServer, fetch_env: None
) -> None:
    serve_pages(web, "bridge")
    url = web.url("/articles/bridge?utm_medium=email")
    result = precis("add", url)
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    again = precis("add", web.url("/articles/bridge"))
    assert "already stored (same url)" in again.output
    assert web.paths().count("/articles/bridge") == 1
    shown = json.loads(precis("show", "1", "--format", "json").output)
    assert shown["url"] == web.url("/articles/bridge")
    assert "paragraph 3" in shown["text"]
    with Store.open(precis.db_url) as store:  # placed in a story by the add itself
        assert StoryStore(store).pending() == []
        assert StoryStore(store).story_of(1)


def test_add_url_failure_is_one_line(precis: Precis, web: WebServer, fetch_env: None) -> None:
    result = precis("add", web.url("/missing"))
    assert result.exit_code == 1
    assert "error:" in result.output
    assert "HTTP 404" in result.output
    assert "Traceback" not in result.output


def test_add_of_a_url_the_parser_refuses_is_a_one_line_error(precis: Precis) -> None:
    result = precis("add", "http://[oops/1")
    assert result.exit_code == 1
    assert "error: http://[oops/1: not a valid URL" in result.output
    assert "1 failed" in result.output


def test_add_url_refuses_private_addresses_by_default(precis: Precis, web: WebServer) -> None:
    web.routes["/page"] = Reply(200, article_html("x").encode(), {"Content-Type": "text/html"})
    result = precis("add", web.url("/page"))
    assert result.exit_code == 1
    assert "non-public address 127.0.0.1" in result.output
    assert web.seen == []


def test_atom_feed_via_cli(precis: Precis, web: WebServer, fetch_env: None) -> None:
    serve_pages(web, "school")
    url = serve_feed(web, "/atom", atom(["school"]), "application/atom+xml")
    precis("feed", "add", url)
    assert "1 article added" in precis("fetch").output
