"""Stories in a store as articles arrive: B³ of the store's grouping vs one batch run.

``precis cluster`` groups its whole input at once; a store (``precis add``, feeds) gets
articles a few at a time and groups each arrival with the stored stories it touches.
This measures what a user of the store gets on the bundled samples (in publication
order, as feeds deliver them) and on the held-out sets of the clustering bench (NeuS
val and every further held-out NeuS split present, such as the kept-back test split;
the ECB+ dev+test topics; in a fixed shuffled order, seed ``SEED``, as neither has
dates): the articles are added to an empty SQLite store and
assigned ``k`` at a time through the public API (``Store.add``, ``StoryStore.assign``),
for each arrival size ``k`` (copies with the same text are one stored article, as for
a user); B³ F1 against the gold is reported beside the batch
``cluster()`` figure on the same articles.

A second way a store is filled: the first half of the articles (in the same order) comes
from a ``precis batch`` run, filed with ``precis load`` (``StoryStore.load_batch``), and the
rest arrive ``LOADED_ARRIVAL`` at a time. It is run twice, with the batch's partners
(what ``precis load`` files) and with them stripped (a loaded member then counts as
having the mean density, which is what every loaded member did before loads kept
partners), so the two rows show what keeping them changes.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import neus as neus_data
from bench.bench_clustering import ECB_TRAIN_TOPICS, Labelled, bcubed, ecb, neus
from bench.common import peak_memory_mb, timer, write_result
from precis.batchstories import BatchStories
from precis.cluster import ArticleInput, cluster
from precis.config import Settings
from precis.models import Article
from precis.pipeline import ingest
from precis.store import Store
from precis.store.schema import story_articles
from precis.store.stories import StoryStore

SEED = 20261125
ARRIVALS = (1, 10, 100)
LOADED_ARRIVAL = 10  # articles per assignment after the batch-loaded half


def arrive(
    store: Store, docs: list[ArticleInput], order: list[int], size: int, ids: dict[int, int]
) -> None:
    """Add the docs in ``order`` to the store and assign them ``size`` at a time, as a
    user's ``precis add`` runs or feed polls do; ``ids`` gets each doc's article id."""
    stories = StoryStore(store)
    for start in range(0, len(order), size):
        arriving = order[start : start + size]
        for i in arriving:
            ids[i] = store.add(_article(docs[i])).id
        stories.assign(sorted({ids[i] for i in arriving}))


def _article(doc: ArticleInput) -> Article:
    return Article(doc.title, doc.text, source=doc.source, published=doc.published)


def store_labels(docs: list[ArticleInput], order: list[int], size: int) -> list[str]:
    """Each doc's story after adding the docs in ``order``, ``size`` per assignment."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'arrival.db'}")
        ids: dict[int, int] = {}
        arrive(store, docs, order, size, ids)
        story_of = _stories_of(store)
        store.close()
    return [story_of[ids[i]] for i in range(len(docs))]


def loaded_labels(docs: list[ArticleInput], order: list[int], partners: bool) -> list[str]:
    """Each doc's story when the first half of ``order`` is a loaded batch run (with or
    without its partners) and the rest arrive ``LOADED_ARRIVAL`` at a time."""
    half = len(order) // 2
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'loaded.db'}")
        ids: dict[int, int] = {}
        rows = []
        for i in order[:half]:
            doc = docs[i]
            ids[i] = store.add(_article(doc)).id
            stored = store.get(ids[i])
            rows.append(
                {
                    "content_hash": stored.content_hash,
                    "title": stored.title,
                    "text": stored.text,
                    "source": doc.source,
                    "published": doc.published,
                }
            )
        tables = BatchStories()(iter(rows))
        members = (
            tables.articles if partners else [{**m, "partners": None} for m in tables.articles]
        )
        StoryStore(store).load_batch(members)
        arrive(store, docs, order[half:], LOADED_ARRIVAL, ids)
        story_of = _stories_of(store)
        store.close()
    return [story_of[ids[i]] for i in range(len(docs))]


def _stories_of(store: Store) -> dict[int, str]:
    with store.engine.connect() as conn:
        return {
            int(r.article_id): str(r.story_id)
            for r in conn.execute(sa.select(story_articles.c.article_id, story_articles.c.story_id))
        }


def stored_form(docs: list[ArticleInput]) -> list[ArticleInput]:
    """A store keeps one article per normalised text, so a document whose text is empty
    (ECB+ one-sentence documents, whose sentence stands in for the headline) gets its
    headline as text instead; batch and store see the same input."""
    return [d if d.text.strip() else ArticleInput(d.id, text=d.title, title="") for d in docs]


def samples() -> Labelled:
    """The bundled sample corpus as ``precis add`` extracts it, with its gold stories
    (``samples/stories.json``)."""
    root = Path(__file__).resolve().parent.parent / "samples"
    gold_file = json.loads((root / "stories.json").read_text("utf-8"))
    feed = (root / "news" / "wire-feed.jsonl").read_text("utf-8").splitlines()
    line_of = {json.loads(line)["id"]: n for n, line in enumerate(feed, start=1)}
    story_of = {}
    for story in gold_file["stories"]:
        for name in story["files"]:
            file, _, feed_id = name.partition("#")
            story_of[f"{file}:{line_of[feed_id]}" if feed_id else file] = story["id"]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'samples.db'}"
        store = Store.open(url)
        ingest(store, [str(root / "news")], Settings.load({}, database_url=url))
        stored = list(store.iter_all())
        store.close()
    docs = [
        ArticleInput(str(a.id), a.text, a.title, a.article.source, a.article.published)
        for a in stored
    ]
    return docs, [story_of[Path(a.article.origin or "").name] for a in stored]


def evaluate(
    name: str, docs: list[ArticleInput], gold: list[str], sizes: tuple[int, ...]
) -> dict[str, Any]:
    """Batch vs store at each arrival size; the articles arrive in publication order
    where they have dates, else in a shuffled order."""
    docs = stored_form(docs)
    order = list(range(len(docs)))
    random.Random(SEED).shuffle(order)
    order.sort(key=lambda i: docs[i].published or datetime.min.replace(tzinfo=UTC))
    row: dict[str, Any] = {
        "articles": len(docs),
        "batch": bcubed([a.story for a in cluster(docs)], gold),
    }
    stories = len(set(gold))
    print(
        f"{name} ({len(docs)} docs, {stories} stories): batch F1 {row['batch']['b3_f1']:.4f}",
        flush=True,
    )
    for size in sizes:
        with timer() as clock:
            labels = store_labels(docs, order, size)
        scores = bcubed(labels, gold)
        row[f"store_{size}_at_a_time"] = {**scores, "seconds": round(clock["seconds"], 1)}
        print(
            f"  {size:>4} at a time: F1 {scores['b3_f1']:.4f} P {scores['b3_precision']:.4f} "
            f"R {scores['b3_recall']:.4f} ({clock['seconds']:.0f}s)",
            flush=True,
        )
    for partners in (True, False):
        with timer() as clock:
            labels = loaded_labels(docs, order, partners)
        scores = bcubed(labels, gold)
        key = f"loaded_half_then_{LOADED_ARRIVAL}_at_a_time" + ("" if partners else "_no_partners")
        row[key] = {**scores, "seconds": round(clock["seconds"], 1)}
        print(
            f"  half loaded{'' if partners else ' (partners stripped)'}, then "
            f"{LOADED_ARRIVAL} at a time: F1 {scores['b3_f1']:.4f} P {scores['b3_precision']:.4f} "
            f"R {scores['b3_recall']:.4f} ({clock['seconds']:.0f}s)",
            flush=True,
        )
    return row


def run(args: argparse.Namespace) -> int:
    sets: dict[str, Labelled] = {
        "samples (bundled, by publication time)": samples(),
        # val, and every further held-out split the file holds (test, once added)
        **{
            f"neus_{split}": neus(split, 300 if args.quick else None)
            for split in neus_data.heldout_splits()
        },
        "ecb_plus_dev_test_topics": ecb(lambda t: t not in ECB_TRAIN_TOPICS),
    }
    sizes = (10,) if args.quick else ARRIVALS
    results = {name: evaluate(name, docs, gold, sizes) for name, (docs, gold) in sets.items()}
    write_result(
        "arrival", {"results": results, "seed": SEED, "peak_memory_mb": round(peak_memory_mb())}
    )
    return 0
