"""Story pages and the story API, over a ``StoryProvider``.

The home page, the article page and the story routes ask a ``StoryProvider`` for
stories. ``precis.web.storydb.StoreStories`` (the default in ``create_app``) reads
them from the story tables; ``NoStories`` has none (the reader then shows articles
only). The dataclasses below are everything the templates and the API show, so the
templates never reach into the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from precis.errors import NotFound
from precis.models import iso
from precis.summarize import Length
from precis.web.context import MAX_ID, MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, ReaderDep

MAX_STORY_SENTENCES = 30  # a longer overview is the articles themselves
MAX_STORY_WORDS = 3_000
MAX_SOURCES_FILTER = 1_000  # min_sources above this matches nothing anyway


@dataclass(frozen=True, slots=True)
class StoryCard:
    """A story in a list: ranked by independent sources, then recency."""

    id: int
    title: str
    sources: int  # independent outlets (copies of another article do not count)
    articles: int  # every member, copies included
    outlets: tuple[str, ...] = ()
    first: datetime | None = None
    latest: datetime | None = None
    corrected: bool = False


@dataclass(frozen=True, slots=True)
class Citation:
    """An article supporting a point, and the index of its own sentence (for ``#sN``)."""

    article_id: int
    sentence_index: int | None
    source: str | None
    text: str = ""  # that article's verbatim sentence


@dataclass(frozen=True, slots=True)
class StoryPoint:
    text: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class Claim:
    """One side of a disagreement: an outlet's sentence and the numbers it gives."""

    citation: Citation
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Disagreement:
    claims: tuple[Claim, ...]

    @property
    def summary(self) -> str:
        """``12 vs 14``: each distinct set of numbers, in the order the claims give them."""
        return " vs ".join(dict.fromkeys(", ".join(c.values) for c in self.claims))


@dataclass(frozen=True, slots=True)
class StoryArticle:
    id: int
    title: str
    source: str | None
    published: datetime | None
    duplicate_of: int | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why one article is in the story, from the explanation stored at assignment."""

    article: StoryArticle
    note: str  # "first article", "copy of #3", "placed here by a correction", "joined at 0.58"
    score: float | None = None
    closest: int | None = None
    shared: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (kind, keys), e.g. ("terms", ...)


@dataclass(frozen=True, slots=True)
class StoryPlace:
    """An article's story and its neighbours in it (by publication time)."""

    card: StoryCard
    previous: StoryArticle | None
    next: StoryArticle | None


@dataclass(frozen=True, slots=True)
class StorySummaryView:
    overview: tuple[StoryPoint, ...]
    common_ground: tuple[StoryPoint, ...] = ()
    only_in: tuple[tuple[str, tuple[StoryPoint, ...]], ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    length: str = "auto"


@dataclass(frozen=True, slots=True)
class StoryView:
    """Everything the story page shows."""

    card: StoryCard
    summary: StorySummaryView
    articles_by_outlet: tuple[tuple[str, tuple[StoryArticle, ...]], ...] = ()
    why_grouped: tuple[Reason, ...] = ()
    shared_terms: tuple[str, ...] = ()  # keys most often shared across the story's members
    said: tuple[dict[str, Any], ...] | None = None  # None: entity analysis not stored


class StoryProvider(Protocol):
    def top(self, limit: int, offset: int = 0, min_sources: int = 1) -> list[StoryCard]: ...

    def count(self, min_sources: int = 1) -> int: ...

    def place(self, article_id: int) -> StoryPlace | None: ...

    def view(self, story_id: int, length: Length | None = None) -> StoryView: ...

    def summary(self, story_id: int, length: Length | None = None) -> StorySummaryView: ...


class NoStories:
    """No stories: every story id is unknown."""

    def top(self, limit: int, offset: int = 0, min_sources: int = 1) -> list[StoryCard]:
        return []

    def count(self, min_sources: int = 1) -> int:
        return 0

    def place(self, article_id: int) -> StoryPlace | None:
        return None

    def view(self, story_id: int, length: Length | None = None) -> StoryView:
        raise NotFound("story", story_id)

    def summary(self, story_id: int, length: Length | None = None) -> StorySummaryView:
        raise NotFound("story", story_id)


StoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="story id")]
Sentences = Annotated[
    int | None, Query(ge=1, le=MAX_STORY_SENTENCES, description="overview sentences")
]
Words = Annotated[
    int | None, Query(ge=1, le=MAX_STORY_WORDS, description="overview words (at most)")
]
Ratio = Annotated[
    float | None, Query(gt=0, le=1, description="overview length as a share of the words")
]
MinSources = Annotated[
    int, Query(ge=1, le=MAX_SOURCES_FILTER, description="only stories with this many sources")
]

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {
            "application/json": {
                "example": {"ok": False, "error": "what went wrong", "status": status}
            }
        },
    }
    for status, description in ((400, "Bad parameters"), (404, "No such story"))
}

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["stories"], responses=ERRORS)


@pages.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(
    request: Request, reader: ReaderDep, story_id: StoryId, sentences: Sentences = None
) -> HTMLResponse:
    view = reader.stories.view(story_id, Length(sentences=sentences))
    count = len(view.summary.overview)
    return reader.render(
        request,
        "story.html",
        story=view,
        shorter=max(1, count - 1),
        longer=min(MAX_STORY_SENTENCES, count + 1),
    )


@api.get("/stories", summary="Stories ranked by independent sources and recency")
def list_stories(
    reader: ReaderDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="stories per page")] = (
        PAGE_SIZE
    ),
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="stories to skip")] = 0,
    min_sources: MinSources = 1,
) -> JSONResponse:
    cards = reader.stories.top(limit, offset, min_sources)
    return JSONResponse(
        {
            "ok": True,
            "total": reader.stories.count(min_sources),
            "limit": limit,
            "offset": offset,
            "stories": [card_json(card) for card in cards],
        }
    )


@api.get("/stories/{story_id}", summary="One story: its articles and why they are together")
def get_story(reader: ReaderDep, story_id: StoryId) -> JSONResponse:
    view = reader.stories.view(story_id, None)
    return JSONResponse(
        {
            "ok": True,
            "story": card_json(view.card),
            "articles": [{**article_json(r.article), **reason_json(r)} for r in view.why_grouped],
            "shared_terms": list(view.shared_terms),
        }
    )


@api.get("/stories/{story_id}/summary", summary="Cited multi-source summary of one story")
def get_story_summary(
    reader: ReaderDep,
    story_id: StoryId,
    sentences: Sentences = None,
    words: Words = None,
    ratio: Ratio = None,
) -> JSONResponse:
    length = Length(sentences=sentences, words=words, ratio=ratio)
    found = reader.stories.summary(story_id, length)
    return JSONResponse({"ok": True, "story_id": story_id, **summary_json(found)})


# -- JSON ---------------------------------------------------------------------------------
def card_json(card: StoryCard) -> dict[str, Any]:
    return {
        "id": card.id,
        "title": card.title,
        "sources": card.sources,
        "articles": card.articles,
        "outlets": list(card.outlets),
        "first": iso(card.first),
        "latest": iso(card.latest),
        "corrected": card.corrected,
    }


def article_json(article: StoryArticle) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "published": iso(article.published),
        "duplicate_of": article.duplicate_of,
    }


def reason_json(reason: Reason) -> dict[str, Any]:
    return {
        "why": reason.note,
        "score": reason.score,
        "closest": reason.closest,
        "shared": {kind: list(keys) for kind, keys in reason.shared},
    }


def citation_json(citation: Citation) -> dict[str, Any]:
    return {
        "article_id": citation.article_id,
        "sentence": citation.sentence_index,
        "source": citation.source,
        "text": citation.text,
    }


def point_json(point: StoryPoint) -> dict[str, Any]:
    return {"text": point.text, "citations": [citation_json(c) for c in point.citations]}


def summary_json(found: StorySummaryView) -> dict[str, Any]:
    return {
        "length": found.length,
        "summary": [point_json(p) for p in found.overview],
        "common": [point_json(p) for p in found.common_ground],
        "only_in": {outlet: [point_json(p) for p in points] for outlet, points in found.only_in},
        "disagreements": [
            {"claims": [{**citation_json(c.citation), "values": list(c.values)} for c in d.claims]}
            for d in found.disagreements
        ],
    }
