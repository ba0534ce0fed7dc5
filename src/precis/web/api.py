"""The JSON API under ``/api/``; its OpenAPI schema is served at ``/api/openapi.json``.

Reads are open; writes (``POST /api/articles``) need ``Authorization: Bearer <token>``
matching ``PRECIS_API_TOKEN``. Without a configured token the server refuses writes.
"""

from __future__ import annotations

import hmac
import io
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from precis.errors import PrecisError
from precis.models import Feed, StoredArticle, Summary, iso
from precis.pipeline import IngestReport, ingest, stored_summary, summary_from_payload
from precis.store import feeds as feed_store
from precis.store import navigation
from precis.store.search import MAX_QUERY_CHARS, search
from precis.summarize import SUMMARIZERS, Length
from precis.web.context import (
    MAX_ID,
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    ReaderDep,
    parse_when,
)
from precis.web.security import too_large_message

MAX_SUMMARY_SENTENCES = 100  # beyond this a "summary" is the article
MAX_SUMMARY_WORDS = 5_000
METHODS = ", ".join(sorted(SUMMARIZERS))

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {
            "application/json": {
                "example": {
                    "ok": False,
                    "error": "what went wrong and how to fix it",
                    "status": status,
                }
            }
        },
    }
    for status, description in (
        (400, "Bad parameters"),
        (404, "No such article"),
    )
}

router = APIRouter(prefix="/api", tags=["articles"], responses=ERRORS)

ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="article id")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="results per page")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="results to skip")]
When = Annotated[
    str | None, Query(max_length=40, description="ISO date or date-time (UTC if no offset)")
]


def ok(status: int = 200, **data: Any) -> JSONResponse:
    return JSONResponse({"ok": True, **data}, status_code=status)


def article_json(stored: StoredArticle, *, text: bool) -> dict[str, Any]:
    article = stored.article
    data: dict[str, Any] = {
        "id": stored.id,
        "title": article.title,
        "source": article.source,
        "author": article.author,
        "published": iso(article.published),
        "url": article.url,
        "ingested_at": stored.ingested_at.isoformat(),
        "words": len(article.text.split()),
    }
    if text:
        data["text"] = article.text
    return data


def summary_json(article_id: int, length: Length, summary: Summary) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "method": summary.method,
        "length": length.key,
        "text": summary.text,
        "sentences": [
            {"index": s.index, "start": s.start, "end": s.end, "text": s.text}
            for s in summary.sentences
        ],
    }


@router.get("/articles", summary="List articles, newest first")
def list_articles(
    reader: ReaderDep,
    source: Annotated[str | None, Query(max_length=300, description="only this source")] = None,
    since: When = None,
    until: When = None,
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
) -> JSONResponse:
    start, end = parse_when(since, "since"), parse_when(until, "until")
    found = reader.store.list(source=source, since=start, until=end, limit=limit, offset=offset)
    total = navigation.count(reader.store, source=source, since=start, until=end)
    return ok(
        total=total,
        limit=limit,
        offset=offset,
        articles=[article_json(stored, text=False) for stored in found],
    )


@router.get("/articles/{article_id}", summary="One article with its text")
def get_article(reader: ReaderDep, article_id: ArticleId) -> JSONResponse:
    return ok(article=article_json(reader.store.get(article_id), text=True))


@router.get("/articles/{article_id}/summary", summary="Extractive summary of one article")
async def get_summary(
    reader: ReaderDep,
    article_id: ArticleId,
    sentences: Annotated[
        int | None, Query(ge=1, le=MAX_SUMMARY_SENTENCES, description="summary sentences")
    ] = None,
    words: Annotated[
        int | None, Query(ge=1, le=MAX_SUMMARY_WORDS, description="at most this many words")
    ] = None,
    ratio: Annotated[
        float | None, Query(gt=0, le=1, description="fraction of the article's words")
    ] = None,
    method: Annotated[str | None, Query(max_length=32, description=f"one of: {METHODS}")] = None,
) -> JSONResponse:
    given = [
        name
        for name, value in (("sentences", sentences), ("words", words), ("ratio", ratio))
        if value is not None
    ]
    if len(given) > 1:
        raise PrecisError(f"give only one of sentences, words or ratio (got {', '.join(given)})")
    length = Length(sentences=sentences, words=words, ratio=ratio)
    chosen = method or reader.settings.summary_method
    if reader.reads_inline and chosen in SUMMARIZERS:  # a hit is one indexed read
        cached = reader.store.current_summary(article_id, chosen, length.key)
        if cached is not None:
            summary = summary_from_payload(chosen, cached)
            return ok(summary=summary_json(article_id, length, summary))
    # Computing a summary takes milliseconds to much more: in the thread pool (after an
    # inline miss, stored_summary looks again: another request may just have filled it).
    summary = await run_in_threadpool(
        stored_summary, reader.store, article_id, length, chosen, split=reader.parse
    )
    return ok(summary=summary_json(article_id, length, summary))


@router.get("/search", summary="Full-text search, best matches first")
def search_articles(
    reader: ReaderDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="words to find")],
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
) -> JSONResponse:
    page = search(reader.store, q, limit=limit, offset=offset)
    return ok(
        query=q,
        total=page.total,
        limit=limit,
        offset=offset,
        results=[
            {
                **article_json(hit.article, text=False),
                **hit.fields(),
            }
            for hit in page.hits
        ],
    )


@router.get("/sources", summary="Sources with their article counts")
def list_sources(reader: ReaderDep) -> JSONResponse:
    return ok(sources=[{"source": name, "articles": n} for name, n in reader.store.sources()])


def feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "name": feed.name,
        "url": feed.url,
        "title": feed.title,
        "site_url": feed.site_url,
        "interval_seconds": feed.interval_seconds,
        "last_fetched_at": iso(feed.last_fetched_at),
        "last_success_at": iso(feed.last_success_at),
        "next_due_at": iso(feed.next_due_at),
        "status": feed.last_status,
        "failing": feed.failing,
        "error_count": feed.error_count,
        "last_error": feed.last_error,
        "articles_added": feed.articles_added,
    }


@router.get("/feeds", summary="Feed subscriptions and their health", tags=["feeds"])
def list_feeds(reader: ReaderDep) -> JSONResponse:
    return ok(feeds=[feed_json(feed) for feed in feed_store.list_feeds(reader.store)])


INGEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "One article as plain text or HTML, or JSONL (one article per line).",
        "content": {
            media: {"schema": {"type": "string"}}
            for media in ("text/plain", "text/html", "application/x-ndjson")
        },
    }
}


@router.post(
    "/articles",
    summary="Ingest articles (needs the bearer token)",
    status_code=201,
    openapi_extra=INGEST_BODY,
    responses={
        401: {"description": "Missing or wrong token"},
        403: {"description": "Writes disabled"},
        413: {"description": "Body too large"},
    },
)
async def add_articles(
    request: Request,
    reader: ReaderDep,
    authorization: Annotated[str | None, Header(description="Bearer <PRECIS_API_TOKEN>")] = None,
) -> JSONResponse:
    check_token(reader.settings.api_token, authorization)
    body = await read_body(request, reader.settings.max_input_bytes)
    if not body.strip():
        raise PrecisError("the request body is empty; send the article text, HTML or JSONL")
    report = await run_in_threadpool(
        ingest, reader.store, ["-"], reader.settings, stdin=io.BytesIO(body)
    )
    return ingest_response(report)


def check_token(expected: str | None, authorization: str | None) -> None:
    if not expected:
        raise Forbidden(
            "writes are disabled on this server; start it with PRECIS_API_TOKEN=<secret> "
            "and send 'Authorization: Bearer <secret>'"
        )
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode("utf-8", "surrogateescape"), expected.encode()
    ):
        raise Unauthorized(
            "send 'Authorization: Bearer <token>' with the server's PRECIS_API_TOKEN"
        )


class Unauthorized(PrecisError):
    status = 401


class Forbidden(PrecisError):
    status = 403


class TooLarge(PrecisError):
    status = 413


async def read_body(request: Request, max_bytes: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(too_large_message(max_bytes))
        chunks.append(chunk)
    return b"".join(chunks)


def ingest_response(report: IngestReport) -> JSONResponse:
    data = {
        "added": [{"id": result.id, "origin": origin} for origin, result in report.added],
        "existing": [
            {"id": result.id, "origin": origin, "reason": result.reason}
            for origin, result in report.existing
        ],
        "failed": [{"origin": err.origin, "error": err.reason} for err in report.failed],
    }
    if not report.added and not report.existing:
        reasons = "; ".join(err.message for err in report.failed) or "no article found"
        raise PrecisError(f"nothing was stored: {reasons}")
    return ok(201 if report.added else 200, **data)
