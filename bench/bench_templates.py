"""Site templates (``precis.text.templates``, ``precis.store.templates``) on real pages of
real sites: the Dragnet pages (news and blog pages of 2012, several per site), put into
a fresh SQLite store through ``precis add``'s path (``precis.pipeline.ingest``: extract,
strip each site's template, store, assign stories) and, in the same run, into a second
store with template stripping turned off (``MIN_ARTICLES`` out of reach: what the store
did before it kept site templates).

Reported for each store:

- extraction quality of the *stored* text against Dragnet's gold text (the
  article-extraction-benchmark's 4-gram shingle F1, ``bench_extraction.evaluate``);
  pages refused score as empty, as there;
- how many stored texts lost paragraphs to their site's template, and how many
  characters;
- stories: how many hold two or more original articles, and how many of those come
  from one site only (the posts of one blog grouped as one "story"; a site is the URL's
  host, else the source name, as ``precis.text.templates.site_of`` has it), with the
  articles in them. Dragnet has no story labels, so this counts the symptom rather than
  scoring a grouping: a story of one site's posts can be right (several press releases
  on one launch), but on this set of unrelated pages most are not.

    python -m bench.run templates
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.bench_extraction import dragnet_gold, dragnet_splits, evaluate
from bench.common import shared, timer, write_result
from precis.config import Settings
from precis.pipeline import ingest
from precis.store import Store
from precis.store.schema import articles, story_articles
from precis.text import templates

OFF = 10**9  # MIN_ARTICLES no site reaches: template stripping turned off


def fill(
    root: Path, ids: list[str], folder: Path, min_articles: int
) -> tuple[Path, dict[str, int]]:
    """A fresh store holding the pages, as ``precis add`` stores them, and the article
    each page is stored as (a page whose text another page already has is that one)."""
    path = folder / f"store-{min_articles}.db"
    settings = Settings.load({}, database_url=f"sqlite:///{path}")
    saved = templates.MIN_ARTICLES
    templates.MIN_ARTICLES = min_articles
    try:
        with Store.open(settings.database_url) as store:
            report = ingest(store, [str(root / "html" / f"{i}.html.gz") for i in ids], settings)
    finally:
        templates.MIN_ARTICLES = saved
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
        "largest_one_site": Counter(found[0] for found in single).most_common(5),
    }


def run(args: argparse.Namespace) -> int:
    root = shared("dragnet")
    gold = dragnet_gold(root)
    ids = dragnet_splits(root, gold)["training"]
    if getattr(args, "quick", False):
        ids = ids[:200]
    truth = {i: gold[i] for i in ids}
    result: dict[str, Any] = {"pages": len(ids)}
    with tempfile.TemporaryDirectory() as tmp:
        texts: dict[str, dict[str, str]] = {}
        for label, min_articles in (("without templates", OFF), ("with templates", None)):
            with timer() as elapsed:
                path, pages = fill(root, ids, Path(tmp), min_articles or templates.MIN_ARTICLES)
            texts[label], members = stored(path, pages)
            produced = {i: texts[label].get(i, "") for i in ids}
            result[label] = {
                **evaluate(produced, truth),
                **story_counts(members),
                "seconds": round(elapsed["seconds"], 1),
            }
    before, after = texts["without templates"], texts["with templates"]
    changed = [i for i in after if after[i] != before.get(i)]
    result["texts_stripped"] = len(changed)
    result["characters_stripped"] = sum(len(before[i]) - len(after[i]) for i in changed)
    print(
        f"Dragnet training pages: {len(ids)}; stored texts that lost a site template: "
        f"{len(changed)} ({result['characters_stripped']} characters)"
    )
    print(
        f"{'store':<20} {'F1':>6} {'P':>6} {'R':>6} {'2+ stories':>11} {'one site':>9} "
        f"{'articles':>9} {'seconds':>8}"
    )
    for label in ("without templates", "with templates"):
        row = result[label]
        print(
            f"{label:<20} {row['f1']:>6.3f} {row['precision']:>6.3f} {row['recall']:>6.3f} "
            f"{row['stories_of_2_or_more']:>11} {row['of_one_site']:>9} "
            f"{row['articles_in_one_site_stories']:>9} {row['seconds']:>8}"
        )
        print(f"  largest one-site stories: {row['largest_one_site']}")
    print(f"wrote {write_result('templates', result)}")
    return 0
