"""The reader's ASGI app: HTML pages, the JSON API under ``/api/``, static files.

FastAPI (which is Starlette underneath) rather than bare Starlette: the API's OpenAPI
schema, from which the schemathesis tests are generated, then comes from the typed
endpoint signatures (bounds included) instead of a hand-kept document that could drift.
The pages are ordinary routes rendering Jinja2 templates with autoescaping on; the
interactive docs (Swagger UI) are off because they load scripts from a CDN.
"""

from __future__ import annotations

import functools

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from precis import __version__
from precis.config import Settings
from precis.store import Store
from precis.text.sentences import parse
from precis.web import api, errors, pages, stories
from precis.web.context import STATIC, TEMPLATES, Reader
from precis.web.render import day, http_url, when
from precis.web.security import BodyLimit, SecurityHeaders

PARSED_CACHE = 512  # parsed articles kept per process: the recently read ones, ~10 MB at most


def templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # article data is untrusted: every {{ }} is escaped, always
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(http_url=http_url, when=when, day=day)
    return Jinja2Templates(env=env)


def create_app(
    settings: Settings,
    store: Store | None = None,
    story_provider: stories.StoryProvider | None = None,
) -> FastAPI:
    """The app over ``store`` (opened from ``settings.database_url`` when not given)."""
    app = FastAPI(
        title="precis",
        version=__version__,
        summary="Read the news, not the noise: articles, faithful summaries, search.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.reader = Reader(
        settings,
        store or Store.open(settings.database_url, echo=settings.log_sql),
        templates(),
        story_provider or stories.NoStories(),
        functools.lru_cache(maxsize=PARSED_CACHE)(parse),
    )
    app.include_router(api.router)
    app.include_router(stories.api)
    app.include_router(pages.router)
    app.include_router(stories.pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, max_bytes=settings.max_input_bytes)
    return app


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory precis.web.app:app_from_environment`` (PRECIS_* env)."""
    return create_app(Settings.load())
