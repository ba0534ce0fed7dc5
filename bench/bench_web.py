"""Reader latency under load: the real ``precis serve`` (uvicorn) over 20,000 articles.

Load tool: ``wrk`` (Debian package ``wrk``), 2 threads and 32 connections over loopback,
each scenario for ``DURATION`` seconds, with a Lua script choosing the request paths:

    wrk -t2 -c32 -d10s --latency -s <scenario>.lua http://127.0.0.1:<port>

Scenarios: the article page (random ids), a cached summary (ids summarized beforehand),
an uncached summary (every request a different, never-summarized article) and search
(two-word queries from a fixed list). Articles are the BBC News Summary corpus from the
shared data, repeated with perturbed titles, URLs and text until there are 20,000.
Server and load generator share this machine's cores, as a real single-box deploy would.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT, shared, write_result

ARTICLES = 20_000
QUICK_ARTICLES = 3_000
CONNECTIONS = 32
THREADS = 2
DURATION = 10  # seconds per scenario: thousands of requests, stable p99
QUICK_DURATION = 3
START_TIMEOUT = 120  # seconds; worker processes import slowly on a busy machine
CACHED_IDS = 500  # articles summarized before the cached-summary run
WARM_REQUESTS = 40  # per page kind, before timing: each server worker compiles and imports
OUTLETS = ("Harbor Herald", "Metro Wire", "Valley Times", "Northern Courier", "Daily Ledger")
QUERIES = (
    "government+plans",
    "film+award",
    "market+growth",
    "election+campaign",
    "mobile+phone",
    "interest+rates",
    "world+cup",
    "music+industry",
    "prime+minister",
    "oil+prices",
    "software+security",
    "chelsea",
    "budget",
    "broadband",
    "economy",
    "tax+cuts",
)
TARGETS_MS = {"article page": 100, "summary (cached)": 100, "summary (uncached)": 250}


def run(args: argparse.Namespace) -> int:
    data = shared("bbc-news-summary", "bbc_news_summary.jsonl.gz")
    wrk = shutil.which("wrk")
    if wrk is None:
        print("skipped web: needs the 'wrk' load tool (apt-get install wrk)")
        return 0
    count = QUICK_ARTICLES if args.quick else ARTICLES
    duration = QUICK_DURATION if args.quick else DURATION
    with tempfile.TemporaryDirectory(prefix="precis-bench-web-") as tmp:
        url = f"sqlite:///{RESULTS / f'web-{count}.db'}"
        started = time.perf_counter()
        first, last = build_store(url, data, count)
        print(f"{count} articles ready in {time.perf_counter() - started:.1f}s", flush=True)
        port = free_port()
        server = start_server(url, port)
        try:
            base = f"http://127.0.0.1:{port}"
            warm(base, first, CACHED_IDS)
            scripts = write_scripts(Path(tmp), first, last)
            load_before = os.getloadavg()[0]
            results = {
                name: load(wrk, base, scripts[name], duration)
                for name in ("article page", "summary (cached)", "summary (uncached)", "search")
            }
            load_after = os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(timeout=10)
    report(results, count)
    print(f"1-minute load average before/after: {load_before:.1f} / {load_after:.1f}")
    write_result(
        "web",
        {
            "articles": count,
            "workers": os.environ.get("PRECIS_BENCH_WORKERS", "1"),
            # the server inherits the environment: reads on the loop unless set false
            "inline_reads": os.environ.get("PRECIS_INLINE_READS", "default (on)"),
            "load_average_1m": [round(load_before, 2), round(load_after, 2)],
            "connections": CONNECTIONS,
            "threads": THREADS,
            "duration_s": duration,
            "load_tool": f"wrk -t{THREADS} -c{CONNECTIONS} -d{duration}s --latency -s <scenario>.lua",
            "results": results,
            "targets_p99_ms": TARGETS_MS,
        },
    )
    return 0


def build_store(url: str, data: Path, count: int) -> tuple[int, int]:
    """``count`` articles from the corpus, perturbed so none is a duplicate; (first, last) id.

    The database is kept in bench/results between runs; its summary cache is emptied
    every run so "uncached" means uncached.
    """
    sys.path.insert(0, str(ROOT / "src"))
    import sqlalchemy as sa

    from precis.models import Article
    from precis.store import Store
    from precis.store.schema import articles, summaries

    with Store.open(url) as store, store.engine.begin() as conn:
        conn.execute(sa.delete(summaries))
        ids = conn.execute(sa.select(sa.func.min(articles.c.id), sa.func.max(articles.c.id))).one()
        if conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one() == count:
            kept = int(ids[0]), int(ids[1])
        else:
            kept = None
            conn.execute(sa.delete(articles))
    if kept is not None:
        with Store.open(url) as store:
            store.fill_sentences()  # a store kept from before spans were stored
        return kept
    with gzip.open(data, "rt", encoding="utf-8") as stream:
        corpus = [json.loads(line) for line in stream]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ids = []
    with Store.open(url) as store, store.engine.begin() as conn:
        for n in range(count):
            record = corpus[n % len(corpus)]
            copy = n // len(corpus)
            text = re.sub(r"\n\s*\n", "\n", record["article"]).strip()
            article = Article(
                title=f"{record['title']}" + (f" ({copy + 1})" if copy else ""),
                text=f"{text}\nFiled as item {n} of the {OUTLETS[n % len(OUTLETS)]} wire.",
                url=f"https://example.org/{record['id']}/{n}",
                source=OUTLETS[n % len(OUTLETS)],
                published=start + timedelta(minutes=37 * n),
            )
            ids.append(store.add(article, conn=conn).id)
    return min(ids), max(ids)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "precis", "--db", url, "serve", "--port", str(port)]
    command += ["--workers", os.environ.get("PRECIS_BENCH_WORKERS", "1")]
    print("server:", " ".join(command[1:]), flush=True)
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sources", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"precis serve did not start within {START_TIMEOUT} s")


def warm(base: str, first: int, n: int) -> None:
    """Fill the cache of the "cached" scenario, then send every page kind a few times,
    several at once so that every server worker compiles its templates and imports its
    code before anything is timed (code paths, not data: the article pages warmed are
    ``n`` of the store's articles)."""
    for article_id in range(first, first + n):
        _get(f"{base}/api/articles/{article_id}/summary")
    paths = [f"/articles/{first + i % n}" for i in range(WARM_REQUESTS)]
    paths += [f"/search?q={q}" for q in QUERIES[:4]] * (WARM_REQUESTS // 4)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda path: _get(base + path), paths))


def _get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=30):
        pass


LUA_RANDOM = """
math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("{path}", math.random({low}, {high})))
end
"""
# Each wrk thread has its own Lua state: thread k walks ids first+k, first+k+THREADS, ...
LUA_WALK = """
local counter = 0
local offset = 0
setup = function(thread) thread:set("offset", {threads_seen}) {threads_seen} = {threads_seen} + 1 end
init = function(args) offset = tonumber(wrk.thread:get("offset")) end
request = function()
  local id = {low} + offset + counter * {threads}
  counter = counter + 1
  if id > {high} then id = {low} + (id - {low}) % ({high} - {low} + 1) end
  return wrk.format("GET", string.format("{path}", id))
end
"""
LUA_SEARCH = """
math.randomseed(os.time())
local queries = {{{queries}}}
request = function()
  return wrk.format("GET", "/search?q=" .. queries[math.random(1, #queries)])
end
"""


def write_scripts(folder: Path, first: int, last: int) -> dict[str, Path]:
    scripts = {
        "article page": LUA_RANDOM.format(path="/articles/%d", low=first, high=last),
        "summary (cached)": LUA_RANDOM.format(
            path="/api/articles/%d/summary", low=first, high=first + CACHED_IDS - 1
        ),
        "summary (uncached)": "threads_seen = 0\n"
        + LUA_WALK.format(
            path="/api/articles/%d/summary",
            low=first + CACHED_IDS,
            high=last,
            threads=THREADS,
            threads_seen="threads_seen",
        ),
        "search": LUA_SEARCH.format(queries=", ".join(f'"{q}"' for q in QUERIES)),
    }
    paths = {}
    for name, body in scripts.items():
        path = folder / (re.sub(r"\W+", "-", name).strip("-") + ".lua")
        path.write_text(body, encoding="utf-8")
        paths[name] = path
    return paths


def load(wrk: str, base: str, script: Path, duration: int) -> dict[str, Any]:
    command = [
        wrk,
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(script),
        base,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict[str, Any]:
    def latency(pct: str) -> float:
        match = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if match is None:
            raise RuntimeError(f"no {pct}% latency in wrk output:\n{output}")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
        return round(float(match.group(1)) * scale, 2)

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "requests_per_s": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def report(results: dict[str, dict[str, Any]], count: int) -> None:
    print(f"\n{count} articles, {CONNECTIONS} connections, wrk over loopback")
    print(f"{'scenario':<20} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'non-2xx':>8}  target p99")
    for name, r in results.items():
        target = TARGETS_MS.get(name)
        verdict = (
            "" if target is None else f"< {target} ms: {'yes' if r['p99_ms'] < target else 'NO'}"
        )
        print(
            f"{name:<20} {r['p50_ms']:>8} {r['p99_ms']:>8} {r['requests_per_s']:>8.0f}"
            f" {r['non_2xx']:>8}  {verdict}"
        )
