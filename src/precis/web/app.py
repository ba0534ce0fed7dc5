"""The reader's ASGI app: HTML pages, the JSON API under ``/api/``, static files.

FastAPI (which is Starlette underneath) rather than bare Starlette: the API's OpenAPI
schema, from which the schemathesis tests are generated, then comes from the typed
endpoint signatures (bounds included) instead of a hand-kept document that could drift.
The pages are ordinary routes rendering Jinja2 templates with autoescaping on; the
interactive docs (Swagger UI) are off because they load scripts from a CDN.

Feeds: with ``poll_feeds`` the app's lifespan runs the feed ``Poller`` in a daemon
thread and stops it at shutdown. Only one process may poll: ``precis serve --workers N``
polls in its parent process and builds the workers' apps with polling off (see
``cli/serve.py``), so N workers never fetch the same feed N times.
"""

from __future__ import annotations

import functools
import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from precis import __version__
from precis.config import Settings
from precis.store import Store
from precis.text.sentences import parse
from precis.web import api, entities, errors, pages, stories
from precis.web.context import STATIC, TEMPLATES, Entities, Reader
from precis.web.render import day, http_url, span, when
from precis.web.security import BodyLimit, SecurityHeaders
from precis.web.storydb import StoreStories

PARSED_CACHE = 512  # parsed articles kept per process: the recently read ones, ~10 MB at most
POLLER_STOP_WAIT = 10.0  # seconds shutdown waits for a poll in progress to wind down

log = logging.getLogger(__name__)


def templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # article data is untrusted: every {{ }} is escaped, always
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code: no stat() of each one per render
    )
    env.filters.update(http_url=http_url, when=when, day=day)
    env.globals.update(span=span)
    return Jinja2Templates(env=env)


def create_app(
    settings: Settings,
    store: Store | None = None,
    story_provider: stories.StoryProvider | None = None,
    *,
    poll_feeds: bool | None = None,
) -> FastAPI:
    """The app over ``store`` (opened from ``settings.database_url`` when not given).

    Stories come from ``story_provider``, by default the store's own story tables.

    ``poll_feeds`` (default: ``settings.poll_feeds``) polls feeds in the background
    while the app runs.
    """
    opened = store or Store.open(settings.database_url, echo=settings.log_sql)
    poll = settings.poll_feeds if poll_feeds is None else poll_feeds

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = start_poller(opened, settings, stop) if poll else None
        settle_heap()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(POLLER_STOP_WAIT)

    app = FastAPI(
        lifespan=lifespan,
        title="precis",
        version=__version__,
        summary="Read the news, not the noise: articles, faithful summaries, search.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    parsed = functools.lru_cache(maxsize=PARSED_CACHE)(parse)
    app.state.reader = Reader(
        settings,
        opened,
        templates(),
        story_provider or StoreStories(opened, settings, parsed),
        parsed,
        Entities(settings.spacy_model),
    )
    app.include_router(api.router)
    app.include_router(entities.api)
    app.include_router(stories.api)
    app.include_router(pages.router)
    app.include_router(entities.pages)
    app.include_router(stories.pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, max_bytes=settings.max_input_bytes)
    return app


def settle_heap() -> None:
    """Move everything allocated while starting (modules, templates, the app) out of the
    garbage collector's reach: the oldest generation's full collections then only walk
    what requests allocate, instead of pausing every request in flight to walk a heap
    that never becomes garbage."""
    gc.collect()
    gc.freeze()


def start_poller(store: Store, settings: Settings, stop: threading.Event) -> threading.Thread:
    """The feed poller in a daemon thread, until ``stop`` is set."""
    from precis.poller import Poller

    thread = threading.Thread(
        target=Poller(store, settings).run_forever,
        args=(stop,),
        name="precis-poller",
        daemon=True,  # a stuck fetch must not keep the process alive after shutdown
    )
    thread.start()
    log.info("polling feeds in the background")
    return thread


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory precis.web.app:app_from_environment`` (PRECIS_* env)."""
    return create_app(Settings.load())
