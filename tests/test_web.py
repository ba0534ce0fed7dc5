"""The reader through its ASGI app over a temporary store: API, pages, safety.

The search tests run on SQLite and on PostgreSQL (``backend_url``/``any_store``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from precis.config import Settings
from precis.store import Store
from precis.web import create_app
from precis.web.security import CSP
from web_helpers import TOKEN, fill


@pytest.fixture
def writer(db_url: str, store: Store) -> Iterator[TestClient]:
    settings = Settings.load({}, database_url=db_url, api_token=TOKEN)
    with TestClient(create_app(settings, store)) as c:
        yield c


@pytest.fixture
def any_ids(any_store: Store) -> list[int]:
    return fill(any_store)


@pytest.fixture
def any_client(backend_url: str, any_store: Store, any_ids: list[int]) -> Iterator[TestClient]:
    """The app over SQLite and over PostgreSQL in turn (the search paths differ)."""
    with TestClient(create_app(Settings.load({}, database_url=backend_url), any_store)) as c:
        yield c


def assert_error(response: object, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["ok"] is False
    assert body["status"] == status
    assert fragment in body["error"]
    assert set(body) == {"ok", "error", "status"}


# -- API ---------------------------------------------------------------------------------


def test_list_articles_newest_first_and_filters(client: TestClient, ids: list[int]) -> None:
    body = client.get("/api/articles").json()
    assert body["ok"] is True
    assert body["total"] == 4
    titles = [a["title"] for a in body["articles"]]
    assert titles[0] == "Library reopens in Eastbrook"
    assert "text" not in body["articles"][0]
    only = client.get("/api/articles", params={"source": "Valley Times"}).json()
    assert [a["id"] for a in only["articles"]] == [ids[3]]
    since = client.get("/api/articles", params={"since": "2026-10-28"}).json()
    assert since["total"] == 2
    page = client.get("/api/articles", params={"limit": 1, "offset": 1}).json()
    assert [a["title"] for a in page["articles"]] == ["Port reopens after strike"]


def test_get_article_and_summary_offsets(client: TestClient, ids: list[int]) -> None:
    article = client.get(f"/api/articles/{ids[1]}").json()["article"]
    summary = client.get(f"/api/articles/{ids[1]}/summary", params={"sentences": 2}).json()
    sentences = summary["summary"]["sentences"]
    assert len(sentences) == 2
    for s in sentences:
        assert article["text"][s["start"] : s["end"]] == s["text"]
    assert [s["index"] for s in sentences] == sorted(s["index"] for s in sentences)
    by_words = client.get(f"/api/articles/{ids[1]}/summary", params={"words": 12, "method": "lead"})
    assert by_words.json()["summary"]["method"] == "lead"


@pytest.mark.parametrize(
    ("url", "status", "fragment"),
    [
        ("/api/articles/999", 404, "no article with id 999"),
        ("/api/articles/0", 400, "article_id"),
        ("/api/articles/99999999999999999999999", 400, "article_id"),
        ("/api/articles/abc", 400, "article_id"),
        ("/api/articles?limit=0", 400, "limit"),
        ("/api/articles?limit=101", 400, "limit"),
        ("/api/articles?offset=-1", 400, "offset"),
        ("/api/articles?since=yesterday", 400, "since"),
        ("/api/articles?until=0001-01-01T00:00%2B05:00", 400, "until"),
        ("/api/articles/1/summary?sentences=2&words=10", 400, "only one of"),
        ("/api/articles/1/summary?ratio=2", 400, "ratio"),
        ("/api/articles/1/summary?method=nope", 400, "unknown summary method"),
        ("/api/search", 400, "'q'"),
        ("/api/search?q=" + "x" * 501, 400, "q"),
        ("/api/nothing", 404, "no page"),
    ],
)
def test_bad_requests_get_one_error_shape(
    client: TestClient, url: str, status: int, fragment: str
) -> None:
    assert_error(client.get(url), status, fragment)


def test_search_ranks_and_highlights(any_client: TestClient, any_ids: list[int]) -> None:
    client, ids = any_client, any_ids
    body = client.get("/api/search", params={"q": "dock workers"}).json()
    assert body["total"] == 2
    assert {r["id"] for r in body["results"]} == {ids[0], ids[1]}
    assert all("dock" in {h.lower() for h in r["highlights"]} for r in body["results"])
    title_hit = client.get("/api/search", params={"q": "reopens"}).json()
    assert title_hit["results"][0]["title"] in {
        "Port reopens after strike",
        "Library reopens in Eastbrook",
    }


@pytest.mark.parametrize(
    "query", ['"', "*", "NEAR(", "a OR", "-x", "(((", "<script>", "'; DROP TABLE articles; --"]
)
def test_search_syntax_is_just_text(any_client: TestClient, query: str) -> None:
    client = any_client
    response = client.get("/api/search", params={"q": query})
    assert response.status_code == 200, response.text
    assert client.get("/search", params={"q": query}).status_code == 200


def test_search_index_follows_delete_and_replace(
    any_client: TestClient, any_store: Store, any_ids: list[int]
) -> None:
    client, store, ids = any_client, any_store, any_ids
    store.delete(ids[3])
    assert client.get("/api/search", params={"q": "library"}).json()["total"] == 0
    stored = store.get(ids[2])
    from dataclasses import replace

    store.replace_text(ids[2], replace(stored.article, text="Tugboat crews joined the protest."))
    assert client.get("/api/search", params={"q": "tugboat"}).json()["total"] == 1
    assert client.get("/api/search", params={"q": "objected"}).json()["total"] == 0


def test_sources(client: TestClient) -> None:
    sources = client.get("/api/sources").json()["sources"]
    assert sources[0]["articles"] == 3
    assert sources[1] == {"source": "Valley Times", "articles": 1}


def test_openapi_schema_lists_the_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert {
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/articles/{article_id}/summary",
        "/api/search",
    } <= set(schema["paths"])
    assert not any(path.startswith("/articles") for path in schema["paths"])


# -- writes ------------------------------------------------------------------------------


def test_writes_refused_without_a_configured_token(client: TestClient) -> None:
    response = client.post("/api/articles", content=b"Title\n\nSome text here.")
    assert_error(response, 403, "PRECIS_API_TOKEN")


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic " + TOKEN, TOKEN])
def test_writes_need_the_right_token(writer: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    assert_error(
        writer.post("/api/articles", content=b"T\n\nText.", headers=headers), 401, "Bearer"
    )


def test_ingest_text_html_and_jsonl(writer: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    text = writer.post(
        "/api/articles",
        content=b"Tram fares frozen\n\nThe city froze tram fares for a year. Riders welcomed it.",
        headers=auth,
    )
    assert text.status_code == 201, text.text
    new_id = text.json()["added"][0]["id"]
    assert writer.get(f"/api/articles/{new_id}").json()["article"]["title"] == "Tram fares frozen"
    again = writer.post(
        "/api/articles",
        content=b"Tram fares frozen\n\nThe city froze tram fares for a year. Riders welcomed it.",
        headers=auth,
    )
    assert again.status_code == 200
    assert again.json()["existing"][0]["reason"] in {"same content", "same url"}
    html = b"<html><head><title>Bridge closes</title></head><body><article><h1>Bridge closes</h1><p>The old bridge closed for repairs on Friday after engineers found cracks in two of its supports.</p><p>Drivers face a long detour through the centre for at least three months, the council said.</p></article></body></html>"
    assert (
        writer.post(
            "/api/articles", content=html, headers={**auth, "Content-Type": "text/html"}
        ).status_code
        == 201
    )
    lines = [
        json.dumps(
            {
                "title": "Ferry delayed",
                "text": "The morning ferry was delayed by fog.",
                "source": "Valley Times",
            }
        ),
        "{not json",
    ]
    mixed = writer.post("/api/articles", content="\n".join(lines).encode(), headers=auth)
    assert mixed.status_code == 201
    assert len(mixed.json()["added"]) == 1
    assert "invalid JSON" in mixed.json()["failed"][0]["error"]
    assert writer.get("/api/search", params={"q": "ferry"}).json()["total"] == 1


def test_ingest_rejects_empty_and_oversized_bodies(db_url: str, store: Store) -> None:
    settings = Settings.load({}, database_url=db_url, api_token=TOKEN, max_input_bytes=1000)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(settings, store)) as c:
        assert_error(c.post("/api/articles", content=b"  ", headers=auth), 400, "empty")
        assert_error(c.post("/api/articles", content=b"x" * 2000, headers=auth), 413, "limit")

        def chunks() -> Iterator[bytes]:
            for _ in range(20):
                yield b"y" * 100

        assert_error(c.post("/api/articles", content=chunks(), headers=auth), 413, "limit")


# -- pages and safety --------------------------------------------------------------------


def test_security_headers_on_pages_and_api(client: TestClient) -> None:
    for url in ("/", "/api/articles", "/articles/1", "/static/reader.js", "/nope"):
        headers = client.get(url).headers
        assert headers["content-security-policy"] == CSP
        assert "'unsafe-inline'" not in CSP
        assert "frame-ancestors 'none'" in CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


RAW_MARKUP = re.compile(r"<script>window|<img src=x|<b>Herald|<p onclick|<i>html|javascript:alert")


def assert_no_live_markup(html: str) -> None:
    assert not RAW_MARKUP.search(html), RAW_MARKUP.search(html)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ['<script src="/static/reader.js" defer>'], scripts
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert "<style" not in html
    assert " style=" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?source=Harbor+%3Cb%3EHerald%3C%2Fb%3E+%3Cimg+src%3Dx+onerror%3D%22window.__pwned+%3D+2%22%3E",
        "/articles/1",
        "/articles/1?summary=true",
        "/search?q=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E+dock",
        "/search?q=strike",
        "/sources",
    ],
)
def test_article_data_is_never_markup(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert_no_live_markup(response.text)


def test_article_page_shows_escaped_fields_and_only_http_links(
    client: TestClient, ids: list[int]
) -> None:
    hostile = client.get(f"/articles/{ids[0]}").text
    assert "&lt;script&gt;window.__pwned = 1;" in hostile
    assert 'href="javascript:' not in hostile
    assert "original</a>" not in hostile
    safe = client.get(f"/articles/{ids[1]}").text
    assert 'href="https://herald.example/port-reopens"' in safe


def test_article_page_sentences_previous_next_and_summary_fallback(
    client: TestClient, ids: list[int]
) -> None:
    page = client.get(f"/articles/{ids[0]}").text
    assert 'id="s0" data-index="0"' in page
    assert f'id="next-article" rel="next" href="/articles/{ids[1]}"' in page
    assert f'id="previous-article" rel="prev" href="/articles/{ids[2]}"' in page
    assert 'class="summary" hidden' in page
    shown = client.get(f"/articles/{ids[1]}", params={"sentences": 1}).text
    assert shown.count('class="s hl"') == 1
    assert 'class="summary" hidden' not in shown
    last = client.get(f"/articles/{ids[3]}").text
    assert "next-article" not in last
    assert "previous-article" not in last


def test_article_page_reads_the_stored_split_and_resplits_an_unusable_one(
    client: TestClient, store: Store, ids: list[int]
) -> None:
    from precis.models import ParsedDocument, Span
    from precis.store.schema import articles
    from precis.text.sentences import encode, paragraphs, parse

    stored = store.get(ids[1])
    # The first paragraph as one sentence (a stored split must stay inside its paragraphs)
    first = next(paragraphs(stored.text))
    whole = ParsedDocument(stored.title, stored.text, (Span(first.start, first.end),), (0,))
    assert len(parse(stored.text, stored.title).sentences) > 1
    with store.engine.begin() as conn:  # a stored split unlike a fresh one: it is used
        conn.execute(
            sa.update(articles).where(articles.c.id == ids[1]).values(sentences=encode(whole))
        )
    page = client.get(f"/articles/{ids[1]}").text
    assert 'id="s0"' in page
    assert 'id="s1"' not in page
    with store.engine.begin() as conn:  # spans that do not fit the text: split afresh
        conn.execute(
            sa.update(articles).where(articles.c.id == ids[1]).values(sentences="[1,0,99999,0]")
        )
    assert 'id="s1"' in client.get(f"/articles/{ids[1]}").text


def test_home_filters_and_pagination(client: TestClient, store: Store) -> None:
    from datetime import UTC, datetime

    from precis.models import Article

    for n in range(25):
        store.add(
            Article(
                f"Brief {n}",
                f"Brief number {n} of the day.",
                source="Wire",
                published=datetime(2026, 9, 1, n % 24, tzinfo=UTC),
            )
        )
    first = client.get("/", params={"source": "Wire"}).text
    assert first.count('class="headline"') == 20
    assert 'href="/?source=Wire&amp;page=2"' in first
    second = client.get("/", params={"source": "Wire", "page": 2}).text
    assert second.count('class="headline"') == 5
    day = client.get("/", params={"day": "2026-11-07"}).text
    assert "Library reopens" in day
    assert "Brief" not in day
    assert client.get("/", params={"day": "soon"}).status_code == 400
    assert client.get("/", params={"page": 0}).status_code == 400
    assert client.get("/", params={"page": 10**9}).status_code == 400


def test_stories_absent_until_built(client: TestClient) -> None:
    """Articles stored without story assignment (``Store.add``): the reader shows articles."""
    assert "Top stories" not in client.get("/").text
    assert client.get("/stories/1").status_code == 404
    listed = client.get("/api/stories").json()
    assert listed["ok"]
    assert listed["stories"] == []
    assert listed["total"] == 0
