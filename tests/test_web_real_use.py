"""Defects found by reading a real store (~2,600 news and web pages) in the reader.

Each test pins one thing a reader ran into: pages past the end of a listing, articles
without a source, the summary length buttons at their bounds, the page icon.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from precis.config import Settings
from precis.models import Article
from precis.store import Store
from precis.web import create_app, pages, render
from precis.web.stories import NoStories, StoryCard


def briefs(store: Store, n: int, source: str | None = "Wire") -> list[int]:
    return [
        store.add(
            Article(
                f"Brief {i}",
                f"Brief number {i} of the day about the harbour.",
                source=source,
                published=datetime(2026, 9, 1, i % 24, i // 24, tzinfo=UTC),
            )
        ).id
        for i in range(n)
    ]


def test_home_past_the_last_page_says_so(client: TestClient, store: Store) -> None:
    """Page 9 of a 2-page list is not an empty store: no "add some with precis add"."""
    briefs(store, 25)
    page = client.get("/", params={"page": 9}).text
    assert "precis add" not in page
    assert "No articles on page 9" in page
    assert 'href="/"' in page
    filtered = client.get("/", params={"page": 9, "source": "Wire"}).text
    assert "precis add" not in filtered
    assert 'href="/?source=Wire"' in filtered  # back to the first page of the same filter


def test_search_past_the_last_page_says_so(client: TestClient, store: Store) -> None:
    """Articles do contain the word: the page is past the end, not a failed search."""
    briefs(store, 25)
    page = client.get("/search", params={"q": "harbour", "page": 5}).text
    assert "No article contains" not in page
    assert "No more results on page 5" in page
    assert 'href="/search?q=harbour"' in page


def test_search_hit_without_source_has_no_dangling_separator(
    client: TestClient, store: Store
) -> None:
    briefs(store, 1, source=None)
    page = client.get("/search", params={"q": "brief"}).text
    meta = re.findall(r'<div class="meta">(.*?)</div>', page, re.S)
    assert meta, page
    assert all(not m.strip().startswith("·") for m in meta), meta


def test_neighbours_of_an_article_without_a_source_are_not_from_this_source(
    client: TestClient, store: Store
) -> None:
    """Source-less articles step through each other; they are not "from this source"."""
    first, second = briefs(store, 2, source=None)
    page = client.get(f"/articles/{first}").text
    assert f'href="/articles/{second}"' in page
    assert "this source" not in page
    assert "with no source" in page


def test_no_empty_neighbour_navigation(client: TestClient, store: Store) -> None:
    """An article alone in its source gets no empty ``<nav>`` landmark."""
    (alone,) = briefs(store, 1, source="Only Outlet")
    page = client.get(f"/articles/{alone}").text
    assert 'class="pager neighbours"' not in page


def test_summary_length_buttons_are_disabled_at_their_bounds(
    client: TestClient, ids: list[int]
) -> None:
    """Served with a summary (no script needed), Shorter at one sentence and Longer at
    every sentence are marked disabled instead of reloading the same summary."""
    one = client.get(f"/articles/{ids[1]}", params={"sentences": 1}).text
    assert re.search(r'id="shorter"[^>]*aria-disabled="true"', one)
    assert not re.search(r'id="longer"[^>]*aria-disabled="true"', one)
    every = client.get(f"/articles/{ids[1]}", params={"sentences": 3}).text
    assert re.search(r'id="longer"[^>]*aria-disabled="true"', every)
    assert not re.search(r'id="shorter"[^>]*aria-disabled="true"', every)


def test_pages_name_an_icon_the_server_has(client: TestClient, ids: list[int]) -> None:
    """Without one the browser asks for /favicon.ico on every page and logs a 404."""
    page = client.get("/").text
    found = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert found, "no <link rel=icon>"
    icon = client.get(found.group(1))
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/")


class FailingStories(NoStories):
    """A story provider whose every call fails the way a bug would."""

    def top(self, limit: int, offset: int = 0, min_sources: int = 1) -> list[StoryCard]:
        raise RuntimeError("a bug in the story code")


def test_an_internal_error_on_a_page_is_an_html_page(
    settings: Settings, store: Store, ids: list[int]
) -> None:
    """A reader whose page fails sees the site's error page, not a JSON body; the API
    keeps its JSON error shape."""
    app = create_app(settings, store, FailingStories())
    with TestClient(app, raise_server_exceptions=False) as broken:
        page = broken.get("/")
        assert page.status_code == 500
        assert page.headers["content-type"].startswith("text/html")
        assert "internal error" in page.text
        assert "a bug in the story code" not in page.text  # details stay in the log
        api = broken.get("/api/stories")
        assert api.status_code == 500
        assert api.json() == {
            "ok": False,
            "error": "internal error; the server log has the details",
            "status": 500,
        }


def test_a_skip_link_leads_past_the_header(client: TestClient, ids: list[int]) -> None:
    """Keyboard users reach the content without tabbing through the header first."""
    page = client.get("/").text
    body = page[page.index("<body>") :]
    first_link = re.search(r"<a [^>]*>", body)
    assert first_link is not None
    assert 'href="#main"' in first_link.group(0), first_link.group(0)
    assert '<main id="main"' in page


def test_search_says_when_a_query_uses_syntax_it_does_not_have(
    client: TestClient, ids: list[int]
) -> None:
    """``-strike`` finds articles *with* "strike" and ``"dock strike"`` is not a phrase
    search: a reader typing either is told the words are matched as plain words."""
    for query in ("-strike", '"dock strike"', "dock AND strike", "port OR harbour", "dock*"):
        page = client.get("/search", params={"q": query}).text
        assert 'class="note syntax"' in page, query
    plain = client.get("/search", params={"q": "dock strike"}).text
    assert 'class="note syntax"' not in plain


def test_entities_past_the_last_page_says_so(
    client: TestClient, store: Store, ids: list[int]
) -> None:
    from precis.entities.model import Analysis, Mention
    from precis.store.entities import save_analysis

    stored = store.get(ids[3])  # "The Eastbrook library reopened ..."
    mention = Mention(4, 13, "Eastbrook", "Eastbrook", "place")
    assert stored.text[mention.start : mention.end] == mention.surface
    save_analysis(store, stored.id, stored.content_hash, "test", Analysis((mention,), ()))
    assert "Eastbrook" in client.get("/entities").text
    page = client.get("/entities", params={"page": 7, "type": "place"}).text
    assert "No entities found yet" not in page
    assert "No entities on page 7" in page
    assert 'href="/entities?type=place"' in page


def test_the_last_day_of_the_calendar_is_a_date(client: TestClient, ids: list[int]) -> None:
    """9999-12-31 is a valid date (the date picker offers it): an empty day, not an error
    saying it is "not a date"."""
    page = client.get("/", params={"day": "9999-12-31"})
    assert page.status_code == 200
    assert "match these filters" in page.text


def test_a_date_without_a_time_is_shown_as_a_day() -> None:
    """A source that gives only a date is stored at midnight UTC: the reader shows the
    day, not an invented "00:00 UTC"; a real time keeps its hour and minute."""
    assert render.when(datetime(2012, 3, 4, tzinfo=UTC)) == "4 Mar 2012"
    assert render.when(datetime(2012, 3, 4, 0, 1, tzinfo=UTC)) == "4 Mar 2012, 00:01 UTC"
    assert render.when(None) == ""


def test_home_source_menu_lists_the_largest_sources_and_links_to_the_rest(
    client: TestClient, store: Store
) -> None:
    """A store fed by many sites does not send every source name with every home page:
    the menu has the largest ones, the chosen one, and a link to /sources."""
    briefs(store, 3, source="Big Outlet")
    for n in range(pages.SOURCE_MENU + 9):
        store.add(Article(f"Site brief {n}", f"Site {n} on the harbour.", source=f"Site {n:03d}"))
    options = re.findall(r"<option value=\"([^\"]*)\"", client.get("/").text)
    assert len(options) == pages.SOURCE_MENU + 1  # and "All sources"
    assert "Big Outlet" in options
    home = client.get("/").text
    more = len(store.sources()) - pages.SOURCE_MENU
    assert f'<a class="more-sources" href="/sources">{more} more sources</a>' in home
    rare = sorted(
        f"Site {n:03d}" for n in range(pages.SOURCE_MENU + 9) if f"Site {n:03d}" not in options
    )[0]
    chosen = client.get("/", params={"source": rare}).text
    assert f'<option value="{rare}" selected>' in chosen
    assert f"{more - 1} more sources" in chosen
    assert rare in client.get("/sources").text
