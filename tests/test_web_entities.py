"""Who said what in the reader: the entity/quote API, entity pages and the article panel,
through the ASGI app over a temporary store with the real spaCy model."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from precis.config import Settings
from precis.entities import Analysis, Mention, Statement
from precis.models import Article
from precis.store import Store
from precis.store import entities as entity_store
from precis.web import create_app
from web_helpers import IMG, XSS

FIRST = Article(
    title="Berlin budget agreed",
    text=(
        '"We will not raise taxes," Chancellor Angela Merkel said on Tuesday. '
        "Officials in the U.S. said the talks would resume."
    ),
    source="Capital Post",
)
SECOND = Article(
    title="Merkel under pressure",
    text=(
        "Merkel said that spending would rise. The United States welcomed the plan, "
        "according to Ann Lee."
    ),
    source="Evening Wire",
)


@pytest.fixture
def ids(store: Store) -> list[int]:
    return [store.add(FIRST).id, store.add(SECOND).id]


@pytest.fixture
def client(settings: Settings, store: Store, ids: list[int]) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store, poll_feeds=False)) as c:
        yield c


def test_article_quotes_are_found_on_demand(client: TestClient, ids: list[int]) -> None:
    stored = client.get(f"/api/articles/{ids[0]}/quotes", params={"analyse": "false"}).json()
    assert stored == {
        "ok": True,
        "article_id": ids[0],
        "analysed": False,
        "entities": [],
        "statements": [],
    }
    body = client.get(f"/api/articles/{ids[0]}/quotes").json()
    assert body["analysed"] is True
    text = client.get(f"/api/articles/{ids[0]}").json()["article"]["text"]
    merkel = [s for s in body["statements"] if s["speaker"] == "Angela Merkel"]
    assert merkel, body["statements"]
    said = merkel[0]
    assert said["direct"] is True
    assert said["speaker_entity"] == "Angela Merkel"
    assert "We will not raise taxes" in said["text"]
    assert text[said["start"] : said["end"]] == said["text"]
    assert said["sentence"] == 0
    assert "Angela Merkel" in {e["name"] for e in body["entities"]}
    # Stored now: asking without analysis gives the same answer.
    again = client.get(f"/api/articles/{ids[0]}/quotes", params={"analyse": "false"}).json()
    assert again == body


def test_article_page_panel_button_then_stored_statements(
    client: TestClient, ids: list[int]
) -> None:
    before = client.get(f"/articles/{ids[0]}").text
    assert 'id="find-quotes"' in before
    assert f'href="/articles/{ids[0]}?quotes=true#quotes"' in before
    assert 'class="statement' not in before
    # Without JavaScript the button's link analyses on the server.
    page = client.get(f"/articles/{ids[0]}", params={"quotes": "true"}).text
    assert 'id="find-quotes"' not in page
    assert '<a class="speaker" href="/entities/Angela%20Merkel">Angela Merkel</a>' in page
    assert '<span class="kind">quote</span>' in page
    assert 'href="#s0">in the text</a>' in page
    # Once stored, the plain page shows the panel at once.
    assert 'class="speaker"' in client.get(f"/articles/{ids[0]}").text


def test_entities_api_and_pages_show_what_is_stored(client: TestClient, ids: list[int]) -> None:
    listing = client.get("/api/entities").json()
    assert listing["entities"] == []
    assert listing["total"] == 0
    assert listing["pending"] == 2
    page = client.get("/entities").text
    assert "2 articles not analysed yet" in page
    assert "precis entities" in page
    for article_id in ids:
        client.get(f"/api/articles/{article_id}/quotes")
    listing = client.get("/api/entities").json()
    assert listing["pending"] == 0
    names = {row["name"]: row for row in listing["entities"]}
    assert names["Angela Merkel"]["articles"] == 2
    assert listing["total"] == len(listing["entities"])  # fewer than a page
    people_page = client.get("/api/entities", params={"type": "person", "limit": 1}).json()
    people = client.get("/api/entities", params={"type": "person"}).json()["entities"]
    assert {row["type"] for row in people} == {"person"}
    assert people_page["total"] == len(people) > 1  # the total is the filter's, not the page's
    second = client.get("/api/entities", params={"limit": 1, "offset": 1}).json()["entities"]
    assert second == [listing["entities"][1]]

    detail = client.get("/api/entities/merkel").json()["entity"]
    assert detail["name"] == "Angela Merkel"
    assert [a["id"] for a in detail["articles"]] == ids
    assert detail["statements_by"]
    quotes = client.get("/api/quotes", params={"speaker": "Angela Merkel"}).json()["statements"]
    assert {q["article_id"] for q in quotes} == set(ids)
    in_second = client.get("/api/quotes", params={"article": ids[1]}).json()["statements"]
    assert {q["article_id"] for q in in_second} == {ids[1]}

    html = client.get("/entities", params={"type": "person"}).text
    assert 'href="/entities/Angela%20Merkel"' in html
    assert "not analysed yet" not in html
    entity = client.get("/entities/Angela Merkel").text
    assert "<h1>Angela Merkel</h1>" in entity
    assert "Berlin budget agreed" in entity
    assert "We will not raise taxes" in entity


@pytest.mark.parametrize(
    ("url", "status", "fragment"),
    [
        ("/api/entities?type=planet", 400, "not one of person, org, place"),
        ("/api/entities/Nobody%20Known", 404, "no entity named 'Nobody Known'"),
        ("/api/quotes?story=999", 404, "no story with id 999"),
        ("/api/articles/999/quotes", 404, "no article with id 999"),
        ("/api/entities?limit=0", 400, "limit"),
    ],
)
def test_entity_api_errors(client: TestClient, url: str, status: int, fragment: str) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert fragment in response.json()["error"]


def test_model_is_loaded_once_per_app(client: TestClient, ids: list[int]) -> None:
    holder = client.app.state.reader.entities  # type: ignore[attr-defined]
    client.get(f"/api/articles/{ids[0]}/quotes")
    first = holder._analyzer
    client.get(f"/api/articles/{ids[1]}/quotes")
    assert first is not None
    assert holder._analyzer is first


def test_hostile_speaker_and_statement_are_text(settings: Settings, store: Store) -> None:
    speaker = f"Ann {XSS} Lee"
    said = f"the port {IMG} will close"
    text = f"{speaker} said that {said}."
    article_id = store.add(Article(title="Port news", text=text, source="Wire")).id
    analysis = Analysis(
        (Mention(0, len(speaker), speaker, speaker, "person"),),
        (
            Statement(
                speaker,
                "person",
                "said",
                said,
                text.index(said),
                text.index(said) + len(said),
                False,
            ),
        ),
    )
    stored = store.get(article_id)
    entity_store.save_analysis(
        store, article_id, stored.content_hash, settings.spacy_model, analysis
    )
    with TestClient(create_app(settings, store, poll_feeds=False)) as client:
        pages = [
            client.get(f"/articles/{article_id}").text,
            client.get("/entities").text,
            client.get("/entities/" + quote(speaker, safe="")).text,
        ]
        body = client.get(f"/api/articles/{article_id}/quotes").json()
    for page in pages:
        assert "<script>window" not in page
        assert "<img src=x" not in page
        assert "Ann &lt;script&gt;window.__pwned" in page
    assert "the port &lt;img src=x onerror=" in pages[0]
    assert "the port &lt;img src=x onerror=" in pages[2]
    assert body["statements"][0]["speaker"] == speaker
    assert body["statements"][0]["text"] == said


def test_analysed_agrees_with_pending_for_one_article(store: Store) -> None:
    article_id = store.add(FIRST).id
    other = store.add(SECOND).id

    def agree(model: str) -> bool:
        state = entity_store.analysed(store, model, article_id)
        assert state == (article_id not in entity_store.pending(store, model, [article_id]))
        return state

    assert not agree("m1")
    stored = store.get(article_id)
    entity_store.save_analysis(store, article_id, stored.content_hash, "m1", Analysis((), ()))
    assert agree("m1")
    assert not agree("m2")  # analysed with another model
    assert not entity_store.analysed(store, "m1", other)
    store.replace_text(article_id, dataclasses.replace(FIRST, text="New text."))
    assert not agree("m1")  # the text changed since
