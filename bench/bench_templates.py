"""Site templates (``precis.text.templates``, ``precis.store.templates``): paragraphs a
site repeats around its articles, left out of what story assignment compares.

1. Dragnet, real pages of real sites (news and blog pages of 2012, several per site),
   put into a fresh SQLite store through ``precis add``'s path
   (``precis.pipeline.ingest``: extract, store, file each page's paragraphs under its
   site, assign stories) and, in the same run, into a second store with templates
   turned off (``template_min_titles`` out of reach: what the store did before). Dragnet has
   no story labels, so this counts the symptom: stories of two or more originals, and
   those whose articles all come from one site (the posts of one blog grouped as one
   "story"; a site is the URL's host, else the source name, as
   ``precis.text.templates.site_of`` has it), with the articles in them. A one-site
   story can be right (press releases on one launch), but on this set of unrelated
   pages most are not. The stored texts are the same in both stores (checked).

2. NeuS val, scored against its gold stories (B-cubed F1, ``bench_clustering.bcubed``):
   the real templates found in section 1 (each site's paragraphs that three or more of
   its Dragnet pages carry), each given to one made-up "blog" of ``POSTS_PER_SITE`` NeuS
   articles of different stories (seeded choice), appended to their text with the blog
   as their source. ``precis.cluster.cluster`` (what ``precis cluster`` runs) groups the
   clean articles, the articles with the templates and template handling off, and with
   it on. A constructed test, stated as such: how much a few template-carrying blogs
   cost the grouping, and how much of it the template rule wins back.

    python -m bench.run templates
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import bench_clustering as clustering
from bench.common import shared, write_result
from bench.extraction_dragnet import dragnet_gold, dragnet_splits
from precis.cluster import cluster
from precis.cluster.assign import Params
from precis.config import Settings
from precis.pipeline import ingest
from precis.store import Store
from precis.store.schema import articles, site_paragraphs, story_articles
from precis.text import templates

OFF = 10**9  # template_min_titles no site reaches: template handling turned off
POSTS_PER_SITE = 4  # NeuS articles per made-up blog (section 2)


def fill(root: Path, ids: list[str], folder: Path, min_titles: int) -> tuple[Path, dict[str, int]]:
    """A fresh store holding the pages, as ``precis add`` stores them, and the article
    each page is stored as (a page whose text another page already has is that one)."""
    path = folder / f"store-{min_titles}.db"
    settings = Settings.load({}, database_url=f"sqlite:///{path}", template_min_titles=min_titles)
    with Store.open(settings.database_url) as store:
        report = ingest(store, [str(root / "html" / f"{i}.html.gz") for i in ids], settings)
    pages = {
        Path(origin).name.removesuffix(".html.gz"): result.id
        for origin, result in report.added + report.existing
    }
    return path, pages


def stored(path: Path, pages: dict[str, int]) -> tuple[dict[str, str], list[Any]]:
    """Stored text by page id, and every original member's (story, id, url, source)."""
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(articles.c.id, articles.c.text)).all())
        members = list(
            conn.execute(
                sa.select(
                    story_articles.c.story_id, articles.c.id, articles.c.url, articles.c.source
                )
                .join(articles, articles.c.id == story_articles.c.article_id)
                .where(story_articles.c.duplicate_of.is_(None))
            ).all()
        )
    engine.dispose()
    return {page: rows[article_id] for page, article_id in pages.items()}, members


def story_counts(members: list[Any]) -> dict[str, Any]:
    sites: dict[int, list[str]] = defaultdict(list)
    for story_id, article_id, url, source in members:
        sites[story_id].append(templates.site_of(url, source) or f"#{article_id}")
    multi = [found for found in sites.values() if len(found) >= 2]
    single = [found for found in multi if len(set(found)) == 1]
    return {
        "stories_of_2_or_more": len(multi),
        "of_one_site": len(single),
        "articles_in_one_site_stories": sum(len(found) for found in single),
        "one_site_sizes": dict(sorted(Counter(len(found) for found in single).items())),
        "largest_one_site": Counter(found[0] for found in single).most_common(5),
    }


def dragnet(ids: list[str], root: Path, folder: Path) -> tuple[dict[str, Any], Any]:
    """Section 1; also returns the path of the store with templates."""
    result: dict[str, Any] = {"pages": len(ids)}
    texts: dict[str, dict[str, str]] = {}
    paths = {}
    for label, min_titles in (("without templates", OFF), ("with templates", None)):
        started = time.process_time()  # CPU time: wall time on a shared machine is noise
        path, pages = fill(root, ids, folder, min_titles or templates.MIN_TITLES)
        cpu = time.process_time() - started
        texts[label], members = stored(path, pages)
        paths[label] = path
        result[label] = {**story_counts(members), "cpu_seconds": round(cpu, 1)}
    assert texts["without templates"] == texts["with templates"], "stored texts differ"
    print(f"-- Dragnet training pages: {len(ids)} (stored texts identical in both stores)")
    print(f"{'store':<20} {'2+ stories':>11} {'one site':>9} {'articles':>9} {'CPU s':>8}")
    for label in ("without templates", "with templates"):
        row = result[label]
        print(
            f"{label:<20} {row['stories_of_2_or_more']:>11} {row['of_one_site']:>9} "
            f"{row['articles_in_one_site_stories']:>9} {row['cpu_seconds']:>8}"
        )
        print(f"  one-site stories by size: {row['one_site_sizes']}")
        print(f"  largest one-site stories: {row['largest_one_site']}")
    return result, paths["with templates"]


def found_templates(path: Path) -> list[list[str]]:
    """Each site's template paragraphs in the store (in the order a page shows them),
    sites in name order."""
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        shared_ = conn.execute(
            sa.select(site_paragraphs.c.site, site_paragraphs.c.digest)
            .group_by(site_paragraphs.c.site, site_paragraphs.c.digest)
            .having(sa.func.count(sa.distinct(site_paragraphs.c.title)) >= templates.MIN_TITLES)
        ).all()
        wanted: dict[str, set[str]] = defaultdict(set)
        for site, digest in shared_:
            wanted[site].add(digest)
        found = []
        for site in sorted(wanted):
            sample = conn.execute(
                sa.select(articles.c.text)
                .join(site_paragraphs, site_paragraphs.c.article_id == articles.c.id)
                .where(site_paragraphs.c.site == site)
                .order_by(articles.c.id)
                .limit(1)
            ).scalar_one()
            lines = [p for p in templates.paragraphs(sample) if templates.digest(p) in wanted[site]]
            if lines:
                found.append(lines)
    engine.dispose()
    return found


def neus_with_blogs(site_templates: list[list[str]], seed: int = 7) -> dict[str, Any]:
    """Section 2."""
    docs, gold = clustering.neus("val")
    rng = random.Random(seed)
    by_story: dict[str, list[int]] = defaultdict(list)
    for index, story in enumerate(gold):
        by_story[story].append(index)
    stories = sorted(by_story)
    rng.shuffle(stories)
    blogged = list(docs)
    picked = 0
    for n, lines in enumerate(site_templates):
        chosen = stories[n * POSTS_PER_SITE : (n + 1) * POSTS_PER_SITE]
        if len(chosen) < POSTS_PER_SITE:
            break
        for story in chosen:
            i = by_story[story][0]
            doc = blogged[i]
            text = "\n".join([doc.text, *lines])
            blogged[i] = dataclasses.replace(doc, text=text, source=f"blog{n}.example")
            picked += 1
    rows = {}
    for label, inputs, min_titles in (
        ("clean articles", docs, templates.MIN_TITLES),
        ("with blog templates, rule off", blogged, OFF),
        ("with blog templates, rule on", blogged, templates.MIN_TITLES),
    ):
        stories = cluster(inputs, Params(template_titles=min_titles))
        rows[label] = clustering.bcubed([a.story for a in stories], gold)
    print(
        f"-- NeuS val, {len(docs)} articles; {len(site_templates)} Dragnet site templates on "
        f"{picked} of them ({POSTS_PER_SITE} per made-up blog)"
    )
    print(f"{'':<34} {'B3 F1':>7} {'P':>7} {'R':>7} {'ARI':>7}")
    for label, row in rows.items():
        print(
            f"{label:<34} {row['b3_f1']:>7.4f} {row['b3_precision']:>7.4f} "
            f"{row['b3_recall']:>7.4f} {row['ari']:>7.4f}"
        )
    return {"articles": len(docs), "blog_articles": picked, "sites": len(site_templates), **rows}


def run(args: argparse.Namespace) -> int:
    root = shared("dragnet")
    gold = dragnet_gold(root)
    ids = dragnet_splits(root, gold)["training"]
    if getattr(args, "quick", False):
        ids = ids[:200]
    with tempfile.TemporaryDirectory() as tmp:
        result, path = dragnet(ids, root, Path(tmp))
        site_templates = found_templates(path)
    result = {"dragnet": result, "neus_val_blogs": neus_with_blogs(site_templates)}
    print(f"wrote {write_result('templates', result)}")
    return 0
