"""Incremental story assignment at scale: articles/s with 1k, 10k and 100k stories stored.

The store is filled in bulk through the public API (assigning article by article would
take hours): article i is a copy of a real article (NeuS train + ECB+) plus a unique
reference line, stored with ``Store.add`` and loaded as a story of its own with
``StoryStore.load_batch`` (which indexes it as assignment does: postings of its
distinctive keys, document frequencies, LSH buckets). Then real NeuS val articles are
added and assigned one by one through ``StoryStore.assign`` (each in its own call and
transaction, as a feed's articles arrive), which is what is timed.
One store is grown through the sizes in turn (a copy kept at each), so the 100k store
costs one build, not three; each size's assignment then runs in a fresh process on its
copy, so that its peak memory is its own (opening the store and assigning, not building).
The grown stores are kept in ``bench/results/stories-scale`` and reused by a re-run while
the code they depend on is unchanged.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT, peak_memory_mb, shared, timer, write_result
from precis.models import Article
from precis.store import Store
from precis.store.db import content_hash
from precis.store.stories import StoryStore

SIZES = (1_000, 10_000, 100_000)
NEW_ARTICLES = 300
BATCH = 5_000
STORES = RESULTS / "stories-scale"  # the grown stores, kept for re-runs of the same code
# What the built stores depend on: a change to any of it builds them again.
SOURCE = [ROOT / "src" / "precis" / part for part in ("store", "cluster", "text", "models.py")]


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


def fill(store: Store, start: int, size: int, bases: list[tuple[str, str]]) -> None:
    """Store articles ``start`` to ``size`` (base i % len(bases) plus a reference line),
    then load them as single-article stories with ``StoryStore.load_batch``, which
    indexes them as assignment does (document frequencies over the store and all of
    them, postings, LSH buckets)."""
    rows = []
    for first in range(start, size, BATCH):
        with store.engine.begin() as conn:
            for i in range(first, min(size, first + BATCH)):
                title, text = bases[i % len(bases)]
                article = Article(title=title, text=f"{text}\nReference {i}.")
                store.add(article, conn=conn)
                rows.append({"content_hash": content_hash(article.text), "story": str(i)})
    StoryStore(store).load_batch(rows)


def build(sizes: Sequence[int], folder: Path) -> dict[int, float]:
    """One store grown through every size in turn, a copy of it kept at each size
    (``scale-SIZE.db``); returns the seconds each growth step took."""
    bases = base_articles()
    path = folder / "scale.db"
    store = Store.open(f"sqlite:///{path}")
    seconds, done = {}, 0
    for size in sorted(sizes):
        with timer() as clock:
            fill(store, done, size, bases)
        seconds[size], done = clock["seconds"], size
        with sqlite3.connect(path) as source, sqlite3.connect(folder / f"scale-{size}.db") as copy:
            source.backup(copy)
    store.close()
    for leftover in folder.glob("scale.db*"):  # the copies are what is kept
        leftover.unlink()
    return seconds


def measure(path: Path) -> dict[str, Any]:
    """Add the new articles to a copy of the store at ``path``; time their assignment."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        store = Store.open(f"sqlite:///{copy}")
        ids = [store.add(a).id for a in new_articles()]
        stories = StoryStore(store)
        with timer() as clock:
            placed = [p for article_id in ids for p in stories.assign([article_id])]
        store.close()
    joined = sum(1 for p in placed if not p.new_story)
    return {
        "assigned": len(placed),
        "joined_existing": joined,
        "articles_per_second": round(len(placed) / clock["seconds"], 1),
        "ms_per_article": round(1000 * clock["seconds"] / len(placed), 2),
        "peak_memory_mb": round(peak_memory_mb()),
    }


def stores(sizes: Sequence[int]) -> dict[str, Any]:
    """The grown stores in ``STORES``, built unless a build by this very code (the
    fingerprint of the ``SOURCE`` files) is there already; returns its manifest."""
    manifest = STORES / "built.json"
    files = sorted(f for part in SOURCE for f in ([part] if part.is_file() else part.rglob("*.py")))
    fingerprint = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    if manifest.exists():
        built: dict[str, Any] = json.loads(manifest.read_text())
        if built["fingerprint"] == fingerprint and all(str(n) in built["seconds"] for n in sizes):
            print(f"reusing the stores built in {STORES}", flush=True)
            return built
    shutil.rmtree(STORES, ignore_errors=True)
    STORES.mkdir(parents=True)
    seconds = json.loads(child("build", str(STORES), *map(str, sizes)))
    built = {"fingerprint": fingerprint, "seconds": seconds}
    manifest.write_text(json.dumps(built))
    return built


def run(args: argparse.Namespace) -> int:
    sizes = SIZES[:2] if args.quick else SIZES
    shared("neus-allsides")  # fail early (MissingData) before spawning anything
    built = stores(sizes)
    rows = []
    for size in sizes:
        row = {
            "stories_stored": size,
            "build_seconds": round(built["seconds"][str(size)], 1),
            **json.loads(child("measure", str(STORES / f"scale-{size}.db"))),
        }
        print(
            f"{size:>7} stories: {row['articles_per_second']} articles/s "
            f"({row['ms_per_article']} ms each), peak {row['peak_memory_mb']} MB, "
            f"grown to this size in {row['build_seconds']}s",
            flush=True,
        )
        rows.append(row)
    write_result("stories_scale", {"results": rows, "load_average": os.getloadavg()})
    return 0


def child(*argv: str) -> str:
    """Run this module in a fresh process (its peak memory is its own); its last line."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_stories_scale", *argv],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    if sys.argv[1] == "build":
        print(json.dumps(build([int(n) for n in sys.argv[3:]], Path(sys.argv[2]))))
    else:
        print(json.dumps(measure(Path(sys.argv[2]))))
