"""Story pages, isolated until stories exist.

The home page and the article page ask a ``StoryProvider`` for stories; ``NoStories``
(the default) has none, so the reader shows articles only. When the story engine lands
(``precis.cluster`` + ``store/stories.py``), an adapter implementing ``StoryProvider``
over it is passed to ``create_app(stories=...)`` and the story routes below start
answering; nothing else in the web package changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Protocol

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse

from precis.errors import NotFound
from precis.web.context import MAX_ID, ReaderDep


@dataclass(frozen=True, slots=True)
class StoryCard:
    """A story in a list: ranked by independent sources, then recency."""

    id: int
    title: str
    sources: int
    articles: int
    updated: datetime | None


@dataclass(frozen=True, slots=True)
class Citation:
    article_id: int
    sentence_index: int
    source: str | None


@dataclass(frozen=True, slots=True)
class StoryPoint:
    text: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class StoryArticle:
    id: int
    title: str
    source: str | None
    published: datetime | None


@dataclass(frozen=True, slots=True)
class StoryView:
    """Everything the story page shows."""

    card: StoryCard
    summary: tuple[StoryPoint, ...]
    common_ground: tuple[StoryPoint, ...] = ()
    only_in: tuple[tuple[str, tuple[StoryPoint, ...]], ...] = ()
    disagreements: tuple[StoryPoint, ...] = ()
    articles_by_outlet: tuple[tuple[str, tuple[StoryArticle, ...]], ...] = ()
    why_grouped: tuple[str, ...] = field(default=())


class StoryProvider(Protocol):
    def top(self, limit: int) -> list[StoryCard]: ...

    def story_of(self, article_id: int) -> StoryCard | None: ...

    def view(self, story_id: int) -> StoryView: ...


class NoStories:
    """The provider used until stories are built: no stories, every story id is unknown."""

    def top(self, limit: int) -> list[StoryCard]:
        return []

    def story_of(self, article_id: int) -> StoryCard | None:
        return None

    def view(self, story_id: int) -> StoryView:
        raise NotFound("story", story_id)


StoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="story id")]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["stories"])


@pages.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, reader: ReaderDep, story_id: StoryId) -> HTMLResponse:
    view = reader.stories.view(story_id)
    return reader.render(request, "story.html", story=view)


@api.get("/stories", summary="Stories ranked by coverage and recency")
def list_stories(reader: ReaderDep) -> JSONResponse:
    cards = reader.stories.top(50)
    return JSONResponse({"ok": True, "stories": [_card_json(card) for card in cards]})


def _card_json(card: StoryCard) -> dict[str, object]:
    return {
        "id": card.id,
        "title": card.title,
        "sources": card.sources,
        "articles": card.articles,
        "updated": card.updated.isoformat() if card.updated else None,
    }
