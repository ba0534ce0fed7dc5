"""PostgreSQL vs SQLite ingest: articles/s through ``Store.add`` with 1 and 4 writers.

Each writer is a process adding its own share of pre-built articles (no extraction), one
transaction per article, as ``precis add`` does; the writers' shares overlap by 10% so the
upsert path (a conflict) is exercised too. PostgreSQL is a private server started by
tests/pgserver.py with durable settings (fsync on); SQLite runs in WAL mode with
synchronous=NORMAL, as the store configures it. Search latency is not measured here: the
search feature is being built on another branch.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import write_result

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


def run(args: argparse.Namespace) -> int:
    from tests.pgserver import PostgresUnavailable, TempPostgres

    total = 1_000 if args.quick else ARTICLES
    results: list[dict[str, Any]] = []
    try:
        server: TempPostgres | None = TempPostgres.start(durable=True)
    except PostgresUnavailable as exc:
        print(f"PostgreSQL skipped: {exc}", flush=True)
        server = None
    with tempfile.TemporaryDirectory(prefix="precis-bench-backends-") as tmp:
        try:
            for writers in (1, 4):
                sqlite_url = f"sqlite:///{Path(tmp) / f'w{writers}.db'}"
                results.append({"backend": "sqlite", **measure(sqlite_url, writers, total)})
                print(json.dumps(results[-1]), flush=True)
                if server is not None:
                    url = server.create_database(f"bench_w{writers}")
                    results.append({"backend": "postgresql", **measure(url, writers, total)})
                    print(json.dumps(results[-1]), flush=True)
        finally:
            if server is not None:
                server.stop()
    write_result("backends", {"articles": total, "runs": results})
    return 0
