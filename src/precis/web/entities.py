"""Who said what in the reader: entity pages and the entity/quote API.

Analysis is lazy and never slows a page down by surprise. spaCy takes seconds to load
and about a tenth of a second per article, so:

* the article page shows its "Who said what" panel when the analysis is stored, and
  otherwise a "Find who said what" button: ``static/reader.js`` asks
  ``/api/articles/{id}/quotes``, which analyses that one article on demand (without
  JavaScript the button is a link that analyses on the server);
* the entity pages show what is stored, plus how many articles still wait and how to
  update them (``precis entities``). Analysing a whole backlog inside a page request
  would make its time depend on how much news came in since, and load the model for a
  page that may only be glanced at; the CLI is the batch path.

The spaCy model is loaded at most once per process (``context.Entities``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from precis.entities import ENTITY_TYPES
from precis.errors import PrecisError
from precis.models import ParsedDocument, StoredArticle
from precis.store import entities as entity_store
from precis.web.api import ERRORS, ArticleId, Limit, Offset, ok
from precis.web.context import MAX_ID, MAX_PAGE, PAGE_SIZE, Reader, ReaderDep
from precis.web.render import query_string, sentence_at

MAX_NAME = 300  # longer than any real entity name; bounds the lookup
MAX_STATEMENTS = 1000  # statements in one article panel: far above a real article's count
TYPES = ", ".join(ENTITY_TYPES)

api = APIRouter(prefix="/api", tags=["entities"], responses=ERRORS)
pages = APIRouter(include_in_schema=False)

EntityType = Annotated[
    str | None, Query(max_length=10, description=f"only this kind: one of {TYPES}")
]
Name = Annotated[str, Path(min_length=1, max_length=MAX_NAME, description="entity name")]


def entity_kind(value: str | None) -> Any:
    if value is None or value == "":
        return None
    if value not in ENTITY_TYPES:
        raise PrecisError(f"type: {value!r} is not one of {TYPES}")
    return value


def waiting(reader: Reader) -> int:
    """Articles not analysed yet (or changed since) with the configured model."""
    return len(entity_store.pending(reader.store, reader.settings.spacy_model))


def article_quotes(
    reader: Reader,
    article_id: int,
    *,
    analyse: bool,
    stored: StoredArticle | None = None,
    doc: ParsedDocument | None = None,
) -> dict[str, Any]:
    """The article's entities and statements, each statement with the index of the
    sentence it starts in (``#s<index>`` on the article page); ``analysed`` is False when
    nothing is stored and ``analyse`` was off. ``stored`` and ``doc``: the article and
    its parse when the caller already has them."""
    stored = stored or reader.store.get(article_id)  # 404 before any analysis
    model = reader.settings.spacy_model
    if not entity_store.analysed(reader.store, model, article_id):
        if not analyse:
            return {"article_id": article_id, "analysed": False, "entities": [], "statements": []}
        reader.entities.analyse(reader.store, [article_id])
    panel = entity_store.article_panel(reader.store, article_id)
    doc = doc or reader.document(stored)
    statements = [
        {
            "speaker": s["speaker"],
            "speaker_entity": s["speaker_entity"],
            "cue": s["cue"],
            "text": s["text"],
            "start": s["start"],
            "end": s["end"],
            "direct": s["direct"],
            "sentence": sentence_at(doc, s["start"]),
        }
        for s in panel["statements"][:MAX_STATEMENTS]
    ]
    return {
        "article_id": article_id,
        "analysed": True,
        "entities": panel["entities"],
        "statements": statements,
    }


# -- API ---------------------------------------------------------------------------------


@api.get("/entities", summary="Most mentioned people, organisations and places")
def list_entities(
    reader: ReaderDep,
    type: EntityType = None,
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
) -> JSONResponse:
    kind = entity_kind(type)
    rows = entity_store.top_entities(reader.store, kind, limit, offset)
    total = entity_store.count_entities(reader.store, kind)
    return ok(total=total, limit=limit, offset=offset, pending=waiting(reader), entities=rows)


@api.get("/entities/{name:path}", summary="One entity: its articles and statements by and about it")
def get_entity(reader: ReaderDep, name: Name) -> JSONResponse:
    return ok(entity=entity_store.entity_detail(reader.store, name))


@api.get("/quotes", summary="Attributed statements, filtered by speaker, article or story")
def list_quotes(
    reader: ReaderDep,
    speaker: Annotated[
        str | None, Query(max_length=MAX_NAME, description="entity name or speaker words")
    ] = None,
    article: Annotated[int | None, Query(ge=1, le=MAX_ID, description="article id")] = None,
    story: Annotated[int | None, Query(ge=1, le=MAX_ID, description="story id")] = None,
    limit: Limit = PAGE_SIZE,
) -> JSONResponse:
    rows = entity_store.list_statements(
        reader.store, speaker=speaker or None, story=story, article=article, limit=limit
    )
    return ok(statements=rows)


@api.get(
    "/articles/{article_id}/quotes",
    summary="Who said what in one article (analysed on demand)",
    tags=["articles"],
)
def get_article_quotes(
    reader: ReaderDep,
    article_id: ArticleId,
    analyse: Annotated[
        bool, Query(description="analyse the article now if it was not (loads the model)")
    ] = True,
) -> JSONResponse:
    return ok(**article_quotes(reader, article_id, analyse=analyse))


# -- pages -------------------------------------------------------------------------------


@pages.get("/entities", response_class=HTMLResponse)
def entities_page(
    request: Request,
    reader: ReaderDep,
    type: Annotated[str | None, Query(max_length=10)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    kind = entity_kind(type)
    rows = entity_store.top_entities(reader.store, kind, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return reader.render(
        request,
        "entities.html",
        entities=rows[:PAGE_SIZE],
        kind=kind or "",
        types=ENTITY_TYPES,
        pending=waiting(reader),
        page=page,
        first=query_string(type=kind),
        newer=query_string(type=kind, page=page - 1 if page > 2 else None)
        if page > 1 and rows  # past the end the way back is the first page, not page - 1
        else None,
        older=query_string(type=kind, page=page + 1) if len(rows) > PAGE_SIZE else None,
    )


@pages.get("/entities/{name:path}", response_class=HTMLResponse)
def entity_page(request: Request, reader: ReaderDep, name: Name) -> HTMLResponse:
    detail = entity_store.entity_detail(reader.store, name)
    return reader.render(request, "entity.html", entity=detail, pending=waiting(reader))
