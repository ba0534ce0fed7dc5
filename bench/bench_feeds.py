"""Feed ingestion throughput: a local server with 100 feeds x 50 teaser entries, full pages.

Every entry is a teaser, so every article costs a page fetch and an HTML extraction
(trafilatura), then a store insert. Pages are BBC News Summary articles wrapped in
navigation, related-links and footer boilerplate; each gets a unique dateline so none is
a duplicate. The server runs in a child process. The second poll finds every feed unchanged (ETag -> 304) and must cost
about one request per feed.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import multiprocessing
import tempfile
import threading
import time
import zlib
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.common import peak_memory_mb, shared, write_result
from precis.config import Settings
from precis.poller import Poller
from precis.store import Store
from precis.store import feeds as feed_store

FEEDS = 100
ENTRIES = 50
WORKERS = 8  # feeds in flight; the default fetch_workers
SERIAL_FEEDS = 5  # feeds polled again with one worker, for a breakdown free of GIL sharing


def load_articles() -> list[tuple[str, list[str]]]:
    path = shared("bbc-news-summary", "bbc_news_summary.jsonl.gz")
    seen: set[str] = set()
    articles = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            paragraphs = [p.strip() for p in item["article"].split("\n\n") if p.strip()]
            key = " ".join(paragraphs).casefold()
            if key in seen or len(paragraphs) < 3:
                continue
            seen.add(key)
            articles.append((item["title"].strip(), paragraphs))
    return articles


class Site:
    """The feeds and pages, built up front so serving costs the server little."""

    def __init__(self, base: str, articles: list[tuple[str, list[str]]], feeds: int, entries: int):
        self.pages: dict[str, bytes] = {}
        self.feeds: dict[str, bytes] = {}
        n = 0
        for f in range(feeds):
            items = []
            for e in range(entries):
                title, paragraphs = articles[n % len(articles)]
                n += 1
                path = f"/news/{f}/{e}.html"
                self.pages[path] = page(title, paragraphs, f"Desk {f}, story {e}.").encode()
                items.append(
                    f"<item><guid>{base}{path}</guid><title>{escape(title)}</title>"
                    f"<link>{base}{path}?utm_source=rss&amp;utm_medium=feed</link>"
                    f"<pubDate>Mon, 01 Jan 2024 {e % 24:02d}:00:00 GMT</pubDate>"
                    f"<description>{escape(paragraphs[0][:160])}</description></item>"
                )
            self.feeds[f"/feeds/{f}.xml"] = (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Outlet {f}</title><link>{base}/</link>{''.join(items)}</channel></rss>"
            ).encode()


def page(title: str, paragraphs: list[str], dateline: str) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in [dateline, *paragraphs])
    related = "".join(f'<li><a href="/r/{i}">Related story {i}</a></li>' for i in range(8))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)} - Outlet</title>"
        "</head><body><header><nav><a href='/'>Home</a><a href='/news'>News</a>"
        "<a href='/sport'>Sport</a><a href='/weather'>Weather</a></nav></header>"
        f"<main><article><h1>{escape(title)}</h1>{body}</article>"
        f"<aside><h2>Related</h2><ul>{related}</ul></aside></main>"
        "<footer><p>Sign up for our newsletter.</p><p>Copyright 2024 Outlet Media.</p>"
        "</footer></body></html>"
    )


def serve(
    articles: list[tuple[str, list[str]]],
    feeds: int,
    entries: int,
    port: Any,
    requests: Any,
    not_modified: Any,
) -> None:
    """The child process: build the site, then serve it until terminated."""
    lock = threading.Lock()
    site: Site | None = None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Buffer headers and body into one send: two small writes meet delayed ACKs
        # (Nagle) and cost ~40 ms per response on loopback.
        wbufsize = 1 << 16

        def do_GET(self) -> None:
            assert site is not None
            with lock:
                requests.value += 1
            path = self.path.split("?", 1)[0]
            if path in site.feeds:
                etag = f'"{zlib.crc32(path.encode()):x}"'
                if self.headers.get("If-None-Match") == etag:
                    with lock:
                        not_modified.value += 1
                    self._send(304, b"", {"ETag": etag})
                    return
                kind = "application/rss+xml"
                self._send(200, site.feeds[path], {"ETag": etag, "Content-Type": kind})
            elif path in site.pages:
                kind = "text/html; charset=utf-8"
                self._send(200, site.pages[path], {"Content-Type": kind})
            else:
                self._send(404, b"not found", {})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    site = Site(base, articles, feeds, entries)
    port.value = httpd.server_address[1]
    httpd.serve_forever(0.05)


class Server:
    """The site served by a child process, so its threads do not take the client's GIL."""

    def __init__(self, articles: list[tuple[str, list[str]]], feeds: int, entries: int) -> None:
        context = multiprocessing.get_context("fork")
        self._port = context.Value("i", 0)
        self._requests = context.Value("i", 0)
        self._not_modified = context.Value("i", 0)
        self._process = context.Process(
            target=serve,
            args=(articles, feeds, entries, self._port, self._requests, self._not_modified),
            daemon=True,
        )
        self._process.start()
        deadline = time.monotonic() + 60
        while self._port.value == 0:
            if time.monotonic() > deadline or not self._process.is_alive():
                raise RuntimeError("the benchmark feed server did not start")
            time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self._port.value}"

    @property
    def requests(self) -> int:
        return int(self._requests.value)

    @property
    def not_modified(self) -> int:
        return int(self._not_modified.value)

    def close(self) -> None:
        self._process.terminate()
        self._process.join(10)


def poll_once(store: Store, settings: Settings) -> dict[str, Any]:
    poller = Poller(store, settings)
    started = time.perf_counter()
    reports = poller.poll(feed_store.list_feeds(store))
    wall = time.perf_counter() - started
    stages = {
        "fetch_wait": poller.wait_seconds,
        "parse_feed": poller.timings.parse,
        "extract": poller.timings.extract,
        "store": poller.timings.store,
    }
    busy = sum(stages.values())
    return {
        "wall_seconds": round(wall, 3),
        "feeds_ok": sum(r.status != "error" for r in reports),
        "feeds_failed": sum(r.status == "error" for r in reports),
        "articles_added": sum(r.added for r in reports),
        "entries_failed": sum(len(r.failed) for r in reports),
        "requests": poller.requests,
        "thread_seconds": {k: round(v, 3) for k, v in stages.items()},
        "share_of_thread_time": {k: round(v / busy, 3) if busy else 0.0 for k, v in stages.items()},
    }


def run(args: argparse.Namespace) -> int:
    feeds, entries = (10, 20) if args.quick else (FEEDS, ENTRIES)
    articles = load_articles()
    server = Server(articles, feeds, entries)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            settings = Settings.load(
                {},
                database_url=url,
                fetch_allow=("127.0.0.1",),
                host_delay=0.0,
                host_concurrency=WORKERS,
                fetch_workers=WORKERS,
            )
            with Store.open(url) as store:
                for f in range(feeds):
                    feed_store.add_feed(store, f"{server.base}/feeds/{f}.xml", f"Outlet {f}", 1800)
                first = poll_once(store, settings)
                first["entries_per_second"] = round(
                    first["articles_added"] / first["wall_seconds"], 1
                )
                served_before = server.requests
                second = poll_once(store, settings)
                second["server_requests"] = server.requests - served_before
                second["not_modified"] = server.not_modified
                stored = store.count()
            # One worker on a few feeds: thread time is then wall time, no GIL sharing.
            serial_url = f"sqlite:///{Path(tmp) / 'serial.db'}"
            serial_settings = dataclasses.replace(
                settings, database_url=serial_url, fetch_workers=1, host_concurrency=1
            )
            with Store.open(serial_url) as store:
                for f in range(min(SERIAL_FEEDS, feeds)):
                    feed_store.add_feed(store, f"{server.base}/feeds/{f}.xml", f"Outlet {f}", 1800)
                serial = poll_once(store, serial_settings)
                serial["entries_per_second"] = round(
                    serial["articles_added"] / serial["wall_seconds"], 1
                )
    finally:
        server.close()
    result = {
        "feeds": feeds,
        "entries_per_feed": entries,
        "workers": WORKERS,
        "articles_stored": stored,
        "first_poll": first,
        "second_poll_nothing_new": second,
        "one_worker": serial,
        "peak_memory_mb": round(peak_memory_mb(), 1),
    }
    print(json.dumps(result, indent=2))
    write_result("feeds", result)
    ok = stored == feeds * entries and second["articles_added"] == 0
    return 0 if ok else 1
