"""Reader CPU per request, in-process: the ASGI app called directly, no server, no wrk.

``bench_web`` measures latency under load, which on a shared 2-core machine mixes the
server's own work with the load tool's and everything else running. This measures the
server's own work: the process CPU time (``time.process_time``, so other processes on the
machine do not count) per request for the article page, a cached summary and an uncached
summary, over the same 20,000-article store (``bench/results/web-20000.db``, built as
``bench_web`` builds it). Requests go through the whole app (middleware, routing,
validation, the endpoint in FastAPI's thread pool, rendering), called as an ASGI
function one after another on one event loop.

At 32 concurrent clients a server's median latency is about 32 / throughput (Little's
law), and its throughput is about cores / CPU per request, so this figure is what the
latency targets come down to once the machine is not oversubscribed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import sys
import time
from typing import Any

from bench.common import RESULTS, ROOT, shared, write_result

REQUESTS = 1_000  # per scenario: a few seconds each
QUICK_REQUESTS = 100
CACHED_IDS = 50  # summarized before the cached scenario
SEED = 7


def run(args: argparse.Namespace) -> int:
    from bench.bench_web import ARTICLES, build_store

    data = shared("bbc-news-summary", "bbc_news_summary.jsonl.gz")
    url = f"sqlite:///{RESULTS / f'web-{ARTICLES}.db'}"
    first, last = build_store(url, data, ARTICLES)  # also empties the summary cache
    sys.path.insert(0, str(ROOT / "src"))
    from precis.config import Settings
    from precis.web import create_app

    settings = dataclasses.replace(Settings.load(), database_url=url, poll_feeds=False)
    app = create_app(settings)
    count = QUICK_REQUESTS if args.quick else REQUESTS
    rng = random.Random(SEED)
    cached = [first + i for i in range(CACHED_IDS)]
    uncached = rng.sample(range(first + CACHED_IDS, last + 1), count)
    scenarios = {
        "article page": [f"/articles/{rng.randint(first, last)}" for _ in range(count)],
        "summary (cached)": [f"/api/articles/{rng.choice(cached)}/summary" for _ in range(count)],
        "summary (uncached)": [f"/api/articles/{i}/summary" for i in uncached],
    }
    results = asyncio.run(_measure(app, scenarios, cached))
    print(f"\n{ARTICLES} articles, {count} requests per scenario, one process, in-process ASGI")
    print(f"{'scenario':<20} {'CPU ms/request':>15} {'wall ms/request':>16}")
    for name, r in results.items():
        print(f"{name:<20} {r['cpu_ms']:>15.2f} {r['wall_ms']:>16.2f}")
    write_result("webcpu", {"articles": ARTICLES, "requests": count, "results": results})
    return 0


async def _measure(
    app: Any, scenarios: dict[str, list[str]], cached: list[int]
) -> dict[str, dict[str, float]]:
    for article_id in cached:
        await _get(app, f"/api/articles/{article_id}/summary")
    for paths in scenarios.values():  # warm up code paths, not data
        await _get(app, paths[0])
    out = {}
    for name, paths in scenarios.items():
        wall, cpu = time.perf_counter(), time.process_time()
        for path in paths:
            await _get(app, path)
        out[name] = {
            "cpu_ms": round((time.process_time() - cpu) / len(paths) * 1000, 3),
            "wall_ms": round((time.perf_counter() - wall) / len(paths) * 1000, 3),
        }
    return out


async def _get(app: Any, path: str) -> None:
    """One GET through the ASGI app; fails unless it answers 200."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    if status != [200]:
        raise RuntimeError(f"GET {path} answered {status}")
