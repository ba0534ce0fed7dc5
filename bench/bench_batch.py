"""Batch throughput on Dask: articles/s end to end, per-worker peak memory, scaling curve.

The corpus is the BBC News Summary set (2,225 articles) repeated and perturbed (paragraphs
rotated, one dropped in every third copy, a unique closing sentence), written as JSONL.
Each size runs ``precis batch``'s ``run_batch`` on a fresh local cluster of process
workers. Sizes and worker counts: ``BENCH_BATCH_SIZES`` (default 10000,20000,50000,100000,
200000) and ``BENCH_BATCH_WORKERS`` (default 1,2); ``--quick`` runs 1000 on 1 and 2.
The story stage (``BatchStories``: per-article features on the workers during the map,
assignment on the driver) is part of every run; the driver's part is in
``stage_seconds["stories"]``. Each run records the 1-minute load average before and after
it, the driver's peak RSS during that run (its high-water mark reset before it) and each
worker's own peak RSS (``VmHWM``: see ``precis.memory.peak_rss_mb`` for why not
``ru_maxrss``). A per-stage profile on 300 articles (one process) names the
bottleneck.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import itertools
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import shared, write_result

DEFAULT_SIZES = (10_000, 20_000, 50_000, 100_000, 200_000)
PROFILE_ARTICLES = 300
PARTITION_BYTES = 512 * 1024  # ~200 articles: many more partitions than workers, even load


def load_bbc() -> list[dict[str, str]]:
    path = shared("bbc-news-summary", "bbc_news_summary.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream]


def perturbed(base: list[dict[str, str]], count: int) -> Any:
    for n in range(count):
        source = base[n % len(base)]
        copy = n // len(base)
        paragraphs = [p for p in source["article"].split("\n\n") if p.strip()]
        if copy:
            shift = copy % len(paragraphs)
            paragraphs = paragraphs[shift:] + paragraphs[:shift]
            if copy % 3 == 0 and len(paragraphs) > 3:
                del paragraphs[copy % len(paragraphs)]
            paragraphs.append(f"This is edition {copy} of report {n}, filed by desk {n % 97}.")
        yield {
            "id": n,
            "title": source["title"],
            "text": "\n\n".join(paragraphs),
            "url": f"https://bench.example/{n}",
            "source": source["category"],
        }


def write_corpus(base: list[dict[str, str]], count: int, folder: Path) -> Path:
    path = folder / f"corpus-{count}.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        for record in perturbed(base, count):
            stream.write(json.dumps(record) + "\n")
    return path


def run_one(corpus: Path, workers: int, folder: Path) -> dict[str, Any]:
    from precis.batch import dask_client, make_job, peak_rss_mb, run_batch
    from precis.batchstories import BatchStories
    from precis.summarize import Length

    out = folder / f"out-{corpus.stem}-{workers}w"
    job = make_job(out, "precis", Length(), 20_000_000, None)
    load_before = os.getloadavg()[0]
    with dask_client(workers=workers, processes=True) as client:
        reset_peak_memory()  # after the workers started: their ru_maxrss shows the old peak
        start = time.perf_counter()
        report = run_batch(
            [str(corpus)], job, client, stories=BatchStories(), partition_bytes=PARTITION_BYTES
        )
        seconds = time.perf_counter() - start
        # the old reading, kept for comparison: a spawned worker's ru_maxrss starts at the
        # driver's peak (see precis.memory.peak_rss_mb)
        usage = client.run(resource.getrusage, resource.RUSAGE_SELF)
    return {
        "articles": report.articles,
        "workers": workers,
        "partitions": report.partitions,
        "seconds": round(seconds, 2),
        "articles_per_s": round(report.articles / seconds, 1),
        "ms_per_article_per_worker": round(1000 * seconds * workers / report.articles, 2),
        "stage_seconds": report.seconds,
        "near_duplicates": report.near_duplicates,
        "exact_duplicates": report.exact_duplicates,
        "stories": report.stories,
        "worker_peak_rss_mb": sorted(report.worker_peak_rss_mb.values()),
        "worker_ru_maxrss_mb": sorted(round(u.ru_maxrss / 1024, 1) for u in usage.values()),
        "driver_peak_rss_mb": round(peak_rss_mb()),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def reset_peak_memory() -> None:
    """Start this process's peak RSS (``VmHWM``) afresh, so that each run's driver figure
    is that run's own, not the largest of the runs before it (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")


def profile(base: list[dict[str, str]]) -> dict[str, float]:
    """Milliseconds per article per stage, in one process (what one worker core does)."""
    from precis.cluster import ArticleInput
    from precis.cluster.assign import prepare
    from precis.dedupe import band_keys, signature
    from precis.extract import Rules, extract
    from precis.models import RawDocument
    from precis.summarize import Length, summarize
    from precis.text.sentences import parse

    rules = Rules.load()
    totals = dict.fromkeys(("extract", "parse", "summarize", "signature", "story_features"), 0.0)
    sample = list(perturbed(base, PROFILE_ARTICLES))
    for record in sample:
        raw = RawDocument("bench", record["text"], "text", {"title": record["title"]})
        marks = [time.perf_counter()]
        article = extract(raw, rules)
        marks.append(time.perf_counter())
        doc = parse(article.text, article.title)
        marks.append(time.perf_counter())
        summarize(doc, Length(), "precis")
        marks.append(time.perf_counter())
        band_keys(signature(article.text))
        marks.append(time.perf_counter())
        prepare(ArticleInput("bench", article.text, article.title or ""))
        marks.append(time.perf_counter())
        for stage, (a, b) in zip(totals, itertools.pairwise(marks), strict=True):
            totals[stage] += b - a
    per_article = {k: round(1000 * v / len(sample), 2) for k, v in totals.items()}
    per_article["story_driver_per_original"] = story_driver_ms(base)
    return per_article


def story_driver_ms(base: list[dict[str, str]]) -> float:
    """CPU ms per *original* article of the story stage's driver part (copy check among
    LSH candidates, assignment), over the distinct base articles with their features
    computed beforehand, as the workers hand them over."""
    from precis.cluster import ArticleInput, cluster
    from precis.cluster.assign import Prepared, prepare

    articles = [ArticleInput(str(i), r["article"], r["title"]) for i, r in enumerate(base)]
    done: dict[str, Prepared] = {a.id: prepare(a) for a in articles}

    class Given:
        def bands(self, article: ArticleInput) -> list[str]:
            return done[article.id].bands

        def keys(self, chosen: list[ArticleInput]) -> dict[str, dict[str, float]]:
            return {a.id: done[a.id].keys for a in chosen}

        def paragraphs(self, article: ArticleInput) -> list[str]:
            return done[article.id].paragraphs

    start = time.process_time()
    result = cluster(articles, precomputed=Given())
    seconds = time.process_time() - start
    originals = sum(1 for a in result if a.duplicate_of is None)
    return round(1000 * seconds / originals, 2)


def _ints(name: str, default: tuple[int, ...]) -> list[int]:
    raw = os.environ.get(name)
    return [int(v) for v in raw.split(",")] if raw else list(default)


def run(args: argparse.Namespace) -> int:
    base = load_bbc()
    sizes = [1000] if args.quick else _ints("BENCH_BATCH_SIZES", DEFAULT_SIZES)
    workers = _ints("BENCH_BATCH_WORKERS", (1, 2))
    runs = []
    with tempfile.TemporaryDirectory(prefix="precis-bench-batch-") as tmp:
        folder = Path(tmp)
        for size in sizes:
            corpus = write_corpus(base, size, folder)
            for count in workers:
                result = run_one(corpus, count, folder)
                runs.append(result)
                print(json.dumps(result), flush=True)
    stages = profile(base)
    print("ms per article per stage (one process):", stages, flush=True)
    write_result("batch", {"runs": runs, "stage_ms_per_article": stages, "cpus": os.cpu_count()})
    return 0
