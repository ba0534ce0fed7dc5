"""What every request handler shares: the settings, the store and the templates."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from precis.config import Settings
from precis.errors import PrecisError
from precis.models import ParsedDocument, StoredArticle
from precis.store import Store
from precis.text.sentences import stored_split

if TYPE_CHECKING:
    from precis.web.stories import StoryProvider

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
MAX_ID = 2**63 - 1  # SQLite's INTEGER range: larger ids cannot exist, so they are a 4xx
PAGE_SIZE = 20  # articles per page: one phone screen of headlines, a few scrolls
MAX_PAGE_SIZE = 100  # API ``limit`` ceiling: bounds the rows and JSON of one request
MAX_OFFSET = 100_000  # deeper paging is a crawl; use the date filters instead
MAX_PAGE = MAX_OFFSET // PAGE_SIZE

T = TypeVar("T")


SOURCES_TTL = 30.0  # seconds the home page's source menu may lag behind new sources


@dataclass(slots=True)
class Expiring:
    """A value recomputed at most every ``ttl`` seconds (a race only recomputes twice)."""

    ttl: float
    value: Any = None
    at: float = float("-inf")

    def get(self, compute: Callable[[], Any]) -> Any:
        now = monotonic()
        if now - self.at > self.ttl:
            self.value, self.at = compute(), now
        return self.value


@dataclass(slots=True)
class Entities:
    """The spaCy-backed analyzer, built on first use and shared by every request.

    Loading the model takes seconds, so it happens at most once per process, and only
    when someone asks who said what. One lock serialises analysis: a spaCy pipeline is
    not documented as safe to call from several threads at once, and on a 2-core server
    parallel analyses would only compete for the same cores.
    """

    model: str
    _analyzer: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def analyse(self, store: Store, article_ids: list[int]) -> int:
        """Analyse those of ``article_ids`` not analysed yet (with this model); how many."""
        from precis.entities import Analyzer
        from precis.pipeline import analyse_entities

        with self._lock:
            if self._analyzer is None:
                self._analyzer = Analyzer(self.model)
            return analyse_entities(store, article_ids, analyzer=self._analyzer)


@dataclass(frozen=True, slots=True)
class Reader:
    settings: Settings
    store: Store
    templates: Jinja2Templates
    stories: StoryProvider
    parse: Callable[[str, str], ParsedDocument]  # text.sentences.parse behind an LRU cache
    entities: Entities
    source_menu: Expiring = field(default_factory=lambda: Expiring(SOURCES_TTL))

    def document(self, stored: StoredArticle) -> ParsedDocument:
        """The article split into sentences: the stored split when it is usable (no
        splitting at all), else through the per-process parse cache."""
        return stored_split(stored, self.parse)

    def sources(self) -> list[tuple[str, int]]:
        """(source, count) for menus: a GROUP BY over every article, so kept briefly."""
        found: list[tuple[str, int]] = self.source_menu.get(self.store.sources)
        return found

    def render(
        self, request: Request, name: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    @property
    def reads_inline(self) -> bool:
        """Whether ``quick`` work runs on the event loop: when ``inline_reads`` is set
        and the store is a SQLite file, whose reads are local indexed lookups that never
        wait for a writer (WAL mode), not round trips to a database server."""
        return self.settings.inline_reads and self.store.engine.dialect.name == "sqlite"

    async def quick(self, work: Callable[[], T]) -> T:
        """``work`` (a few indexed reads and a render, no analysis) on the event loop
        when ``reads_inline``, else in the thread pool like any ``def`` endpoint.

        The thread-pool hop costs CPU (the larger part of what inline reads save per
        article page in ``bench webcpu``) and, with dozens of requests in flight, dozens of threads take turns
        at the GIL with the event loop. Done on the loop, requests are served one after
        another instead: on a quiet 2-core machine that kept the article page's p99 under
        100 ms at 32 clients, where the pool missed it in half the runs; on a machine
        whose cores other work keeps busy it was worse (docs/benchmarks.md "## Reader"),
        hence the setting (on by default). Anything that may take long (computing a
        summary, entity analysis, search, writes) never comes through here.
        """
        if self.reads_inline:
            return work()
        return await run_in_threadpool(work)


async def get_reader(request: Request) -> Reader:
    """Async so FastAPI does not hop to a worker thread just to fetch app state."""
    reader: Reader = request.app.state.reader
    return reader


ReaderDep = Annotated[Reader, Depends(get_reader)]


def parse_when(value: str | None, name: str) -> datetime | None:
    """An ISO date or date-time from a query parameter, as an aware UTC datetime."""
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise PrecisError(
            f"{name}: {value!r} is not an ISO date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM) in years 1 to 9999"
        ) from None


def day_range(value: str | None) -> tuple[datetime, datetime] | None:
    """The UTC day ``YYYY-MM-DD`` as [start, end)."""
    if value is None or not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise PrecisError(f"day: {value!r} is not a date like 2026-10-27") from None
    start = datetime.combine(day, time(), tzinfo=UTC)
    if day == date.max:  # no next day to end at: the day runs to the end of time
        return start, datetime.max.replace(tzinfo=UTC)
    return start, start + timedelta(days=1)
