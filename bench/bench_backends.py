"""PostgreSQL vs SQLite ingest: articles/s through ``Store.add`` with 1 and 4 writers.

Each writer is a process adding its own share of pre-built articles (no extraction), one
transaction per article, as ``precis add`` does; the writers' shares overlap by 10% so the
upsert path (a conflict) is exercised too. PostgreSQL is a private server started by
tests/pgserver.py with durable settings (fsync on); SQLite runs in WAL mode with
synchronous=NORMAL, as the store configures it.

Search latency: one database per backend grown to each size in ``BENCH_SEARCH_SIZES``
(default 10k, 50k, 200k) with the BBC News Summary articles from ``../shared/data``
repeated and perturbed (as in bench_batch), loaded through ``bulk_load`` (COPY on
PostgreSQL; the FTS5 triggers / the generated tsvector column and its GIN index keep the
search index as on any insert). At each size, ``QUERIES`` two-word queries drawn from the
articles' titles run through ``precis.store.search.search`` (first page of 20, with the
total count and snippets, as the reader asks), after ``WARM_UP`` untimed queries; p50/p99 of the
timed pass are reported.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import MissingData, write_result

ARTICLES = 4_000  # per backend and writer count; minutes on a 2-core machine
OVERLAP = 0.1


def article(n: int) -> Any:
    from precis.models import Article

    text = " ".join(
        f"Sentence {i} of article {n} reports on the council budget." for i in range(25)
    )
    return Article(
        title=f"Article {n}",
        text=text,
        url=f"https://bench.example/{n}",
        source=f"Outlet {n % 20}",
        published=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=n),
        raw=text,
        raw_type="text",
    )


def writer(url: str, start: int, stop: int) -> int:
    from precis.store import Store

    created = 0
    with Store.open(url, migrate=False) as store:
        for n in range(start, stop):
            created += store.add(article(n)).created
    return created


def measure(url: str, writers: int, total: int) -> dict[str, Any]:
    from precis.store import Store

    with Store.open(url):
        pass
    share = total // writers
    extra = int(share * OVERLAP) if writers > 1 else 0
    ranges = [(url, w * share, min(total, (w + 1) * share + extra)) for w in range(writers)]
    attempts = sum(stop - start for _, start, stop in ranges)
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    with context.Pool(writers) as pool:
        created = sum(pool.starmap(writer, ranges))
    seconds = time.perf_counter() - start
    with Store.open(url, migrate=False) as store:
        stored = store.count()
    assert created == stored == total, (created, stored, total)
    return {
        "writers": writers,
        "adds": attempts,
        "stored": stored,
        "seconds": round(seconds, 2),
        "adds_per_s": round(attempts / seconds, 1),
    }


SEARCH_SIZES = (10_000, 50_000, 200_000)
QUERIES = 100
WARM_UP = 20  # queries run untimed first at each size
LOAD_CHUNK = 10_000  # articles per bulk_load transaction


def search_rows(count: int) -> Any:
    """Article rows (the store's columns) for ``count`` perturbed BBC articles, lazily."""
    from bench.bench_batch import load_bbc, perturbed
    from precis.store.db import content_hash

    when = datetime(2024, 1, 1, tzinfo=UTC)
    for record in perturbed(load_bbc(), count):
        yield {
            "content_hash": content_hash(record["text"]),
            "url": record["url"],
            "title": record["title"],
            "text": record["text"],
            "source": record["source"],
            "published": when + timedelta(minutes=record["id"]),
            "ingested_at": when,
            "word_count": len(record["text"].split()),
            "raw_type": "text",
        }


def queries(count: int) -> list[str]:
    from bench.bench_batch import load_bbc
    from precis.text.tokens import content_terms

    rng = random.Random(7)
    base = load_bbc()
    found: list[str] = []
    while len(found) < count:
        terms = content_terms(rng.choice(base)["title"])
        if len(terms) >= 2:
            found.append(" ".join(rng.sample(terms, 2)))
    return found


def search_latency(url: str, sizes: list[int]) -> list[dict[str, Any]]:
    from precis.store import Store
    from precis.store.search import search
    from precis.store.transfer import bulk_load

    asked = queries(QUERIES)
    rows = search_rows(max(sizes))
    results = []
    loaded = 0
    with Store.open(url) as store:
        for size in sizes:
            start = time.perf_counter()
            while loaded < size:
                chunk = list(itertools.islice(rows, min(size - loaded, LOAD_CHUNK)))
                bulk_load(store, chunk, [])
                loaded += len(chunk)
            load_seconds = time.perf_counter() - start
            if store.dialect == "postgresql":
                with store.engine.begin() as conn:
                    conn.exec_driver_sql("ANALYZE articles")
            for q in asked[:WARM_UP]:  # warm-up: caches as a running reader has them
                search(store, q, limit=20)
            times, totals = [], []
            for q in asked:
                t0 = time.perf_counter()
                page = search(store, q, limit=20)
                times.append((time.perf_counter() - t0) * 1000)
                totals.append(page.total)
            cuts = statistics.quantiles(times, n=100)
            results.append(
                {
                    "articles": size,
                    "load_seconds": round(load_seconds, 1),
                    "queries": len(asked),
                    "p50_ms": round(cuts[49], 2),
                    "p99_ms": round(cuts[98], 2),
                    "mean_hits": round(statistics.mean(totals), 1),
                }
            )
            print(json.dumps(results[-1]), flush=True)
    return results


def run(args: argparse.Namespace) -> int:
    from tests.pgserver import PostgresUnavailable, TempPostgres

    total = 1_000 if args.quick else ARTICLES
    results: list[dict[str, Any]] = []
    searches: dict[str, list[dict[str, Any]]] = {}
    raw_sizes = os.environ.get("BENCH_SEARCH_SIZES")
    sizes = (
        [2_000]
        if args.quick
        else ([int(v) for v in raw_sizes.split(",")] if raw_sizes else list(SEARCH_SIZES))
    )
    writers_runs = [] if os.environ.get("BENCH_BACKENDS_SKIP_INGEST") else [1, 4]
    try:
        server: TempPostgres | None = TempPostgres.start(durable=True)
    except PostgresUnavailable as exc:
        print(f"PostgreSQL skipped: {exc}", flush=True)
        server = None
    with tempfile.TemporaryDirectory(prefix="precis-bench-backends-") as tmp:
        try:
            for writers in writers_runs:
                sqlite_url = f"sqlite:///{Path(tmp) / f'w{writers}.db'}"
                results.append({"backend": "sqlite", **measure(sqlite_url, writers, total)})
                print(json.dumps(results[-1]), flush=True)
                if server is not None:
                    url = server.create_database(f"bench_w{writers}")
                    results.append({"backend": "postgresql", **measure(url, writers, total)})
                    print(json.dumps(results[-1]), flush=True)
            try:
                print("search, sqlite", flush=True)
                searches["sqlite"] = search_latency(f"sqlite:///{Path(tmp) / 'search.db'}", sizes)
                if server is not None:
                    print("search, postgresql", flush=True)
                    searches["postgresql"] = search_latency(
                        server.create_database("bench_search"), sizes
                    )
            except MissingData as exc:
                print(f"search latency skipped: {exc}", flush=True)
        finally:
            if server is not None:
                server.stop()
    write_result("backends", {"articles": total, "runs": results, "search": searches})
    return 0
