"""The story page and the home page's top stories, through a small in-memory provider.

The story engine is built on another branch; this pins the contract the web layer
expects (``precis.web.stories.StoryProvider``) and that story text is escaped too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from precis.config import Settings
from precis.errors import NotFound
from precis.store import Store
from precis.web import create_app
from precis.web.stories import (
    Citation,
    StoryArticle,
    StoryCard,
    StoryPoint,
    StoryView,
)
from web_helpers import IMG, XSS, fill

CARD = StoryCard(
    7, f"Port strike {XSS}", sources=2, articles=3, updated=datetime(2026, 10, 29, tzinfo=UTC)
)


class OneStory:
    def __init__(self, article_ids: list[int]) -> None:
        self.ids = article_ids

    def top(self, limit: int) -> list[StoryCard]:
        return [CARD][:limit]

    def story_of(self, article_id: int) -> StoryCard | None:
        return CARD if article_id in self.ids[:2] else None

    def view(self, story_id: int) -> StoryView:
        if story_id != CARD.id:
            raise NotFound("story", story_id)
        cite = (Citation(self.ids[0], 0, "Harbor Herald"),)
        return StoryView(
            card=CARD,
            summary=(StoryPoint("Dock workers walked out over pay.", cite),),
            common_ground=(StoryPoint("The port closed.", cite),),
            only_in=((f"Metro {IMG}", (StoryPoint("Ships waited offshore.", cite),)),),
            disagreements=(StoryPoint(f"How long it lasts {XSS}", cite),),
            articles_by_outlet=(
                (
                    "Harbor Herald",
                    (StoryArticle(self.ids[0], "Dock strike", "Harbor Herald", None),),
                ),
            ),
            why_grouped=("shared terms: dock, strike, union",),
        )


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    ids = fill(store)
    with TestClient(create_app(settings, store, OneStory(ids))) as c:
        yield c


def test_home_ranks_stories_above_articles(client: TestClient) -> None:
    page = client.get("/").text
    assert "Top stories" in page
    assert 'href="/stories/7"' in page
    assert "&lt;script&gt;" in page
    assert "<script>window" not in page
    assert "Top stories" not in client.get("/", params={"page": 2}).text


def test_story_page_renders_every_part_escaped(client: TestClient) -> None:
    response = client.get("/stories/7")
    assert response.status_code == 200, response.text
    page = response.text
    for text in (
        "Common ground",
        "Only in Metro &lt;img",
        "Where they differ",
        "Coverage",
        "Why these are grouped",
    ):
        assert text in page
    assert 'href="/articles/1#s0"' in page
    assert "<script>window" not in page
    assert "<img src=x" not in page
    assert client.get("/stories/8").status_code == 404


def test_article_links_to_its_story(client: TestClient) -> None:
    assert 'href="/stories/7"' in client.get("/articles/1").text
    assert 'href="/stories/7"' not in client.get("/articles/4").text


def test_api_lists_stories(client: TestClient) -> None:
    stories = client.get("/api/stories").json()["stories"]
    assert stories[0]["id"] == 7
    assert stories[0]["sources"] == 2
