"""Feeds and web pages into the store: poll due feeds, ingest single URLs, poll forever.

Like ``pipeline``, this module wires stages together and has side effects: it fetches
(``ingest.fetch``), parses (``ingest.feeds``), extracts (``extract``) and stores
(``store``, ``store.feeds``). A failure never escapes a poll: it is recorded on the feed
(``precis feed ls`` shows it) and the poll goes on with the next feed.

For ``precis serve``::

    stop = threading.Event()
    threading.Thread(target=Poller(store, settings).run_forever, args=(stop,), daemon=True).start()
    ...  # on shutdown: stop.set()
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from precis.config import Settings
from precis.errors import ExtractionError, InputError, PrecisError
from precis.extract import Rules, extract
from precis.ingest.feeds import FeedEntry, parse_feed
from precis.ingest.fetch import Fetcher, FetchOptions, page_text
from precis.ingest.urls import is_web_url, normalise_url
from precis.models import Article, Feed, RawDocument
from precis.pipeline import assign_stories
from precis.store import AddResult, Store
from precis.store import feeds as feed_store
from precis.store.filing import store_article
from precis.text.hosts import split

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml, text/plain;q=0.8, */*;q=0.1"
# The background poller wakes at least this often (seconds) to notice new subscriptions,
# and never more often than IDLE_MIN (a feed due "now" that keeps failing must not spin).
IDLE_MAX = 60.0
IDLE_MIN = 1.0


def fetch_options(settings: Settings) -> FetchOptions:
    return FetchOptions(
        user_agent=settings.user_agent,
        timeout=settings.fetch_timeout,
        max_bytes=min(settings.max_response_bytes, settings.max_input_bytes),
        max_redirects=settings.max_redirects,
        retries=settings.fetch_retries,
        backoff=settings.fetch_backoff,
        max_retry_wait=settings.max_retry_wait,
        host_concurrency=settings.host_concurrency,
        host_delay=settings.host_delay,
        respect_robots=settings.respect_robots,
        allow=settings.fetch_allow,
    )


@dataclass(frozen=True, slots=True)
class FeedReport:
    feed: Feed
    status: Literal["ok", "not modified", "error"]
    added: int = 0
    existing: int = 0
    failed: tuple[str, ...] = ()
    error: str | None = None


@dataclass(slots=True)
class PollTimings:
    """Seconds spent per stage, summed over all worker threads."""

    parse: float = 0.0
    extract: float = 0.0
    store: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, stage: Literal["parse", "extract", "store"], seconds: float) -> None:
        with self._lock:
            setattr(self, stage, getattr(self, stage) + seconds)


class Poller:
    def __init__(
        self, store: Store, settings: Settings, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.store = store
        self.settings = settings
        self.rules = Rules.load(settings.boilerplate_rules)
        self.timings = PollTimings()
        self.requests = 0
        self.wait_seconds = 0.0
        self._sleep = sleep

    def poll(
        self,
        feeds: list[Feed] | None = None,
        *,
        stop: threading.Event | None = None,
    ) -> list[FeedReport]:
        """Poll ``feeds`` (default: the due ones) once, concurrently; never raises."""
        if feeds is None:
            feeds = feed_store.due_feeds(self.store, datetime.now(UTC))
        if not feeds:
            return []
        with Fetcher(fetch_options(self.settings), sleep=self._sleep) as fetcher:
            workers = min(self.settings.fetch_workers, len(feeds))
            with ThreadPoolExecutor(workers, thread_name_prefix="precis-poll") as pool:
                reports = list(pool.map(lambda feed: self._guarded(fetcher, feed, stop), feeds))
            self.requests += fetcher.stats.requests
            self.wait_seconds += fetcher.stats.seconds
        done = [report for report in reports if report is not None]
        if any(report.added for report in done):
            self._place_in_stories()
        return done

    def _place_in_stories(self) -> None:
        """Place every article without a story (this poll's, and articles their sites'
        templates reopened) in a story; a failure waits for the next poll that adds
        articles (or ``precis stories``)."""
        try:
            assign_stories(self.store, None, self.settings)
        except PrecisError as exc:
            log.warning("stories not updated after the poll: %s", exc.message)

    def run_forever(self, stop: threading.Event) -> None:
        """Poll due feeds on their schedules until ``stop`` is set."""
        log.info("feed poller started")
        while not stop.is_set():
            try:
                for report in self.poll(stop=stop):
                    log.info("feed %s: %s, %d added", report.feed.name, report.status, report.added)
                upcoming = feed_store.next_due(self.store)
            except Exception:  # a broken cycle (database away) must not end the poller
                log.exception("feed poll failed; retrying in %s s", IDLE_MAX)
                upcoming = None
            wait = IDLE_MAX
            if upcoming is not None:
                wait = (upcoming - datetime.now(UTC)).total_seconds()
            stop.wait(min(IDLE_MAX, max(IDLE_MIN, wait)))
        log.info("feed poller stopped")

    def _guarded(
        self, fetcher: Fetcher, feed: Feed, stop: threading.Event | None
    ) -> FeedReport | None:
        if stop is not None and stop.is_set():
            return None
        now = datetime.now(UTC)
        try:
            return self._poll_feed(fetcher, feed, now, stop)
        except PrecisError as exc:
            feed_store.record_failure(self.store, feed, now, exc.message)
            return FeedReport(feed, "error", error=exc.message)
        except Exception as exc:  # a bug must cost one feed one poll, not the poller
            log.exception("feed %s: unexpected error", feed.url)
            message = f"internal error: {type(exc).__name__}: {exc}"
            feed_store.record_failure(self.store, feed, now, message)
            return FeedReport(feed, "error", error=message)

    def _poll_feed(
        self, fetcher: Fetcher, feed: Feed, now: datetime, stop: threading.Event | None = None
    ) -> FeedReport:
        result = fetcher.fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_ACCEPT
        )
        if result.not_modified:
            feed_store.record_not_modified(self.store, feed, now)
            return FeedReport(feed, "not modified")
        started = time.perf_counter()
        parsed = parse_feed(result.content, feed.url, result.content_type)
        self.timings.add("parse", time.perf_counter() - started)
        done = feed_store.finished_entries(self.store, feed.id)
        added = existing = 0
        failed: list[str] = []
        for entry in parsed.entries:
            if stop is not None and stop.is_set():
                break  # what is stored stays; the rest is picked up by the next poll
            if entry.key in done:
                continue
            done.add(entry.key)
            try:
                outcome = self._ingest_entry(fetcher, feed, entry)
            except PrecisError as exc:
                feed_store.record_entry(self.store, feed.id, entry.key, None, exc.message)
                failed.append(exc.message)
                continue
            feed_store.record_entry(self.store, feed.id, entry.key, outcome.id, None)
            if outcome.created:
                added += 1
            else:
                existing += 1
        entry_error = None
        if failed:
            entry_error = f"{len(failed)} entries failed; first: {failed[0]}"
        feed_store.record_success(
            self.store,
            feed,
            now,
            # Failed entries are retried next poll, which a 304 would prevent.
            etag=None if failed else result.etag,
            last_modified=None if failed else result.last_modified,
            title=parsed.title,
            site_url=parsed.link,
            added=added,
            entry_error=entry_error,
        )
        return FeedReport(feed, "ok", added, existing, tuple(failed))

    def _ingest_entry(self, fetcher: Fetcher, feed: Feed, entry: FeedEntry) -> AddResult:
        url = normalise_url(entry.link) if entry.link and is_web_url(entry.link) else None
        if url is None:
            return self._new_entry(fetcher, feed, entry, None)
        with fetcher.claims(url):  # two feeds carrying one article: fetched once
            known = feed_store.article_id_for_url(self.store, url)
            if known is not None:
                return AddResult(known, False, "same url")
            return self._new_entry(fetcher, feed, entry, url)

    def _new_entry(
        self, fetcher: Fetcher, feed: Feed, entry: FeedEntry, url: str | None
    ) -> AddResult:
        metadata = {
            "title": entry.title,
            "url": url,
            "author": entry.author,
            "published": entry.published.isoformat() if entry.published else None,
            "source": feed.name,
            "id": entry.key,
        }
        kept = {key: value for key, value in metadata.items() if value}
        article = None
        if not entry.teaser and entry.body_html:
            origin = url or f"{feed.url}#{entry.key}"
            try:
                article = self._extract(RawDocument(origin, entry.body_html, "html", kept))
            except ExtractionError:
                article = None  # the page may hold what the feed's markup did not
        if article is None:
            if url is None:
                raise ExtractionError(
                    f"{feed.url}#{entry.key}", "entry has only a teaser and no link to its page"
                )
            article = fetch_article(fetcher, url, kept, self._extract)
        started = time.perf_counter()
        try:
            return store_article(self.store, article, self.settings.template_min_titles)[0]
        finally:
            self.timings.add("store", time.perf_counter() - started)

    def _extract(self, raw: RawDocument) -> Article:
        started = time.perf_counter()
        try:
            return extract(raw, self.rules)
        finally:
            self.timings.add("extract", time.perf_counter() - started)


def fetch_article(
    fetcher: Fetcher,
    url: str,
    metadata: dict[str, str],
    extractor: Callable[[RawDocument], Article],
) -> Article:
    """Fetch one page and extract its article; ``metadata`` overrides what the page says."""
    result = fetcher.fetch(url, accept=PAGE_ACCEPT)
    text, media = page_text(result)
    return extractor(RawDocument(url, text, media, metadata))


def add_url(store: Store, settings: Settings, url: str) -> tuple[str, AddResult]:
    """``precis add URL``: fetch, extract and store one page (no fetch if the URL is stored)."""
    normal = normalise_url(url)
    if split(normal) is None:
        raise InputError(url, "not a valid URL; check it (an unclosed '[' in the host?)")
    known = feed_store.article_id_for_url(store, normal)
    if known is not None:
        return normal, AddResult(known, False, "same url")
    rules = Rules.load(settings.boilerplate_rules)
    with Fetcher(fetch_options(settings)) as fetcher:
        article = fetch_article(fetcher, normal, {"url": normal}, lambda raw: extract(raw, rules))
    return normal, store_article(store, article, settings.template_min_titles)[0]
