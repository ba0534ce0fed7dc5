"""Incremental story assignment at scale: articles/s with 1k, 10k and 100k stories stored.

The store is filled synthetically and in bulk (building it article by article would
take hours): article i is a copy of a real article (NeuS train + ECB+) plus a unique
reference number, in a story of its own, with its index entries (postings of its
distinctive keys, document frequencies, LSH buckets) written as assignment would write
them (LSH buckets are random, so no copy is found). Then real NeuS val articles are
added and assigned one by one through ``StoryStore.assign``, which is what is timed.
Each size runs in a fresh process so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import peak_memory_mb, shared, timer, write_result
from precis.cluster.assign import article_keys, index_keys, weigh
from precis.cluster.dedup import BANDS
from precis.cluster.features import features
from precis.models import Article
from precis.store import Store
from precis.store.schema import (
    articles,
    stories,
    story_articles,
    story_df,
    story_lsh,
    story_postings,
)
from precis.store.stories import DOC_COUNT_KEY, StoryStore

SIZES = (1_000, 10_000, 100_000)
NEW_ARTICLES = 300
BATCH = 5_000


def base_articles() -> list[tuple[str, str]]:
    found = []
    with gzip.open(shared("neus-allsides", "neus_roundup.jsonl.gz"), "rt", encoding="utf-8") as f:
        for record in map(json.loads, f):
            if record["split"] == "train":
                found += [(a["title"], a["text"]) for a in record["articles"]]
    with gzip.open(shared("ecb-plus", "ecbplus_docs.jsonl.gz"), "rt", encoding="utf-8") as f:
        for record in map(json.loads, f):
            sentences = record["sentences"] or [""]
            found.append((sentences[0], "\n".join(sentences[1:])))
    return found


def new_articles() -> list[Article]:
    found = []
    with gzip.open(shared("neus-allsides", "neus_roundup.jsonl.gz"), "rt", encoding="utf-8") as f:
        for record in map(json.loads, f):
            if record["split"] == "val":
                found += [Article(title=a["title"], text=a["text"]) for a in record["articles"]]
    return found[:NEW_ARTICLES]


def fill(store: Store, size: int, bases: list[tuple[str, str]]) -> None:
    keys = [article_keys(features(t, x)) for t, x in bases]
    replicas = [size // len(bases) + (1 if b < size % len(bases) else 0) for b in range(len(bases))]
    df: dict[str, int] = defaultdict(int)
    for b, base_keys in enumerate(keys):
        for key in base_keys:
            df[key] += replicas[b]
    weights = [weigh(k, size, df) for k in keys]
    filed = [index_keys(w, df) for w in weights]
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        for start in range(0, size, BATCH):
            block = range(start, min(size, start + BATCH))
            base = [i % len(bases) for i in block]
            conn.execute(
                sa.insert(articles),
                [_article(i, bases[b], now) for i, b in zip(block, base, strict=True)],
            )
            conn.execute(sa.insert(stories), [{"id": i + 1, "created_at": now, "updated_at": now, "corrected": False} for i in block])  # fmt: skip
            conn.execute(sa.insert(story_articles), [_member(i, weights[b]) for i, b in zip(block, base, strict=True)])  # fmt: skip
            conn.execute(sa.insert(story_postings), [{"key": k, "article_id": i + 1} for i, b in zip(block, base, strict=True) for k in filed[b]])  # fmt: skip
            conn.execute(sa.insert(story_lsh), [{"bucket": f"{band}:s{i}", "article_id": i + 1} for i in block for band in range(BANDS)])  # fmt: skip
        rows = [{"key": k, "df": v} for k, v in df.items()] + [{"key": DOC_COUNT_KEY, "df": size}]
        for start in range(0, len(rows), BATCH):
            conn.execute(sa.insert(story_df), rows[start : start + BATCH])


def _article(i: int, base: tuple[str, str], now: datetime) -> dict[str, Any]:
    text = f"{base[1]}\nReference {i}."
    return {
        "id": i + 1,
        "content_hash": f"synthetic-{i}",
        "title": base[0],
        "text": text,
        "ingested_at": now,
        "word_count": len(text.split()),
    }


def _member(i: int, weights: dict[str, float]) -> dict[str, Any]:
    return {
        "article_id": i + 1,
        "story_id": i + 1,
        "duplicate_of": None,
        "pinned": False,
        "score": 0.0,
        "explanation": {},
        "weights": {k: round(v, 5) for k, v in weights.items()},
        "published": None,
    }


def measure(size: int) -> dict[str, Any]:
    bases = base_articles()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'scale.db'}")
        with timer() as build:
            fill(store, size, bases)
        ids = [store.add(a).id for a in new_articles()]
        with timer() as clock:
            placed = StoryStore(store).assign(ids)
        joined = sum(1 for p in placed if not p.new_story)
        store.close()
    return {
        "stories_stored": size,
        "build_seconds": round(build["seconds"], 1),
        "assigned": len(placed),
        "joined_existing": joined,
        "articles_per_second": round(len(placed) / clock["seconds"], 1),
        "ms_per_article": round(1000 * clock["seconds"] / len(placed), 2),
        "peak_memory_mb": round(peak_memory_mb()),
    }


def run(args: argparse.Namespace) -> int:
    sizes = SIZES[:2] if args.quick else SIZES
    shared("neus-allsides")  # fail early (MissingData) before spawning anything
    rows = []
    for size in sizes:
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_stories_scale", str(size)],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{size:>7} stories: {row['articles_per_second']} articles/s "
            f"({row['ms_per_article']} ms each), peak {row['peak_memory_mb']} MB, "
            f"build {row['build_seconds']}s",
            flush=True,
        )
        rows.append(row)
    write_result("stories_scale", {"results": rows})
    return 0


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]))))
