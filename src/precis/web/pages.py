"""The reader's HTML pages: home, article, search, sources.

Every page works without JavaScript. The article page's summary is fetched in-page by
``static/reader.js``; without JavaScript the same button is a link that renders the
page with the summary highlighted on the server.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from precis.pipeline import stored_summary
from precis.store import feeds as feed_store
from precis.store import navigation
from precis.store.search import MAX_QUERY_CHARS, search
from precis.summarize import Length
from precis.web.api import MAX_SUMMARY_SENTENCES
from precis.web.context import MAX_ID, MAX_PAGE, PAGE_SIZE, Reader, ReaderDep, day_range
from precis.web.entities import article_quotes
from precis.web.render import article_body, query_string

router = APIRouter(include_in_schema=False)

Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number")]
TOP_STORIES = 10  # stories shown above the latest articles on the home page
HOME_MIN_SOURCES = 2  # a one-outlet "story" is just an article: the latest list has it
# Sources in the home page's menu, most articles first: a store fed by hundreds of sites
# would otherwise send every name with every home page; /sources lists them all.
SOURCE_MENU = 50
# Search-engine syntax a reader may type (a phrase in quotes, -exclusion, prefix*,
# AND/OR/NOT): store.search matches every word as a plain word, so the page says so.
QUERY_SYNTAX = re.compile(r'["*]|(?:^|\s)-\w|\b(?:AND|OR|NOT)\b')


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    reader: ReaderDep,
    source: Annotated[str | None, Query(max_length=300)] = None,
    day: Annotated[str | None, Query(max_length=40)] = None,
    page: Page = 1,
) -> HTMLResponse:
    source = source or None
    span = day_range(day)
    since, until = span if span else (None, None)
    found = reader.store.list(
        source=source, since=since, until=until, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    filtered = source is not None or span is not None
    stories = [] if filtered or page > 1 else reader.stories.top(TOP_STORIES, 0, HOME_MIN_SOURCES)
    every = reader.sources()
    menu = every[:SOURCE_MENU]
    if source is not None and all(name != source for name, _ in menu):
        menu += [(name, n) for name, n in every if name == source]
    return reader.render(
        request,
        "home.html",
        articles=found[:PAGE_SIZE],
        stories=stories,
        sources=menu,
        more_sources=len(every) - len(menu) if len(every) > len(menu) else 0,
        source=source,
        day=day or "",
        page=page,
        first=query_string(source=source, day=day),
        newer=query_string(source=source, day=day, page=page - 1 if page > 2 else None)
        if page > 1 and found  # past the end the way back is the first page, not page - 1
        else None,
        older=query_string(source=source, day=day, page=page + 1)
        if len(found) > PAGE_SIZE
        else None,
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
async def article_page(
    request: Request,
    reader: ReaderDep,
    article_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    summary: Annotated[bool, Query()] = False,
    sentences: Annotated[int | None, Query(ge=1, le=MAX_SUMMARY_SENTENCES)] = None,
    quotes: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """The article; asking for a summary or for quote analysis may compute, so only the
    plain page (stored data only: the common case) is a ``Reader.quick`` read."""
    page = functools.partial(_article_page, request, reader, article_id, summary, sentences, quotes)
    if summary or sentences is not None or quotes:
        return await run_in_threadpool(page)
    return await reader.quick(page)


def _article_page(
    request: Request,
    reader: Reader,
    article_id: int,
    summary: bool,
    sentences: int | None,
    quotes: bool,
) -> HTMLResponse:
    stored = reader.store.get(article_id, raw=False)
    # Stored analysis is shown at once; otherwise only ?quotes=true (the no-script
    # button) analyses, so the page never waits for the spaCy model uninvited.
    doc = reader.document(stored)
    said = article_quotes(reader, article_id, analyse=quotes, stored=stored, doc=doc)
    chosen: tuple[int, ...] = ()
    shown = None
    if summary or sentences is not None:
        length = Length(sentences=sentences)
        shown = stored_summary(
            reader.store,
            article_id,
            length,
            reader.settings.summary_method,
            stored=stored,
            split=reader.parse,
        )
        chosen = tuple(s.index for s in shown.sentences)
    count = len(shown.sentences) if shown else 0
    return reader.render(
        request,
        "article.html",
        stored=stored,
        article=stored.article,
        body=article_body(doc, frozenset(chosen)),
        sentence_count=len(doc.sentences),
        summary=shown,
        count=count,
        shorter=max(1, count - 1),
        longer=min(len(doc.sentences), count + 1),
        near=navigation.neighbours(reader.store, stored),
        story=reader.stories.place(article_id),
        said=said,
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    reader: ReaderDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    page: Page = 1,
) -> HTMLResponse:
    results = search(reader.store, q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    more = results.total > page * PAGE_SIZE
    return reader.render(
        request,
        "search.html",
        q=q,
        syntax=QUERY_SYNTAX.search(q) is not None,
        results=results,
        page=page,
        first=query_string(q=q),
        newer=query_string(q=q, page=page - 1) if page > 1 else None,
        older=query_string(q=q, page=page + 1) if more else None,
    )


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, reader: ReaderDep) -> HTMLResponse:
    return reader.render(
        request,
        "sources.html",
        sources=reader.store.sources(),
        feeds=feed_store.list_feeds(reader.store),
    )
