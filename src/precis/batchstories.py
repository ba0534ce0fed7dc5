"""The story stage of ``precis batch``: the stories engine over the whole batch.

Story assignment needs a global view (an article may join a story whose other articles
sit in any partition), so it runs on the driver after the map stage, over every article
row, through ``precis.cluster.cluster``. The per-article part of that work (shingles,
MinHash band keys, feature keys) is done in the map stage on the workers and arrives as
a ``Precomputed`` (``precis.batch.FeatureTable``); the driver only detects copies among
LSH candidates and assigns the originals. ``cluster`` is the same function as
``precis cluster --jsonl``, which visits articles in a canonical order (publication time,
text, id) so the result does not depend on how the corpus was partitioned.

Rows that the store would refuse as duplicates (same ``content_hash``, or same URL as an
earlier row) are left out first, exactly as ``precis load`` skips them, so the stories of
a loaded database are the stories computed here.

Two tables come out (see ``STORY_SCHEMAS``):

- ``story_articles``: ``content_hash`` -> ``story`` (the story's key: the content hash of
  its first article), ``duplicate_of`` (content hash of the original, for wire copies),
  ``score`` and ``explanation`` (JSON text) — what ``precis story ID`` shows — and
  ``partners`` (an original's best pair scores by content hash, JSON text), from which the
  store knows each loaded article's density (``precis.cluster.density``);
- ``stories``: one row per story: ``story``, ``title``, ``articles`` (count),
  ``independent_sources`` (outlets of original articles; copies do not count),
  ``sources`` (their names), ``first_published``, ``last_published``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from precis.cluster import ArticleInput, Params, cluster
from precis.cluster.assign import Precomputed

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoryTables:
    articles: list[Row]
    stories: list[Row]


@dataclass(frozen=True, slots=True)
class BatchStories:
    """A ``precis.batch.StoryStage``: article rows in, story tables out."""

    params: Params = field(default_factory=Params)
    containment: float | None = None

    def __call__(
        self, articles: Iterator[Row], precomputed: Precomputed | None = None
    ) -> StoryTables:
        kept = list(loadable(articles))
        inputs = [
            ArticleInput(
                id=row["content_hash"],
                text=row["text"],
                title=row.get("title") or "",
                source=row.get("source"),
                published=row.get("published"),
                url=row.get("url"),
            )
            for row in kept
        ]
        assignments = cluster(inputs, self.params, self.containment, precomputed)
        members = [
            {
                "content_hash": a.id,
                "story": a.story,
                "duplicate_of": a.duplicate_of,
                "score": float(a.score),
                "explanation": json.dumps(a.explanation, ensure_ascii=False, sort_keys=True),
                "partners": None if a.partners is None else json.dumps(a.partners, sort_keys=True),
            }
            for a in assignments
        ]
        return StoryTables(members, story_rows(kept, members))


def loadable(rows: Iterable[Row]) -> Iterator[Row]:
    """Rows the store keeps: the first of each content hash and of each URL."""
    hashes: set[str] = set()
    urls: set[str] = set()
    for row in rows:
        url = row.get("url")
        if row["content_hash"] in hashes or (url is not None and url in urls):
            continue
        hashes.add(row["content_hash"])
        if url is not None:
            urls.add(url)
        yield row


def story_rows(articles: list[Row], members: list[Row]) -> list[Row]:
    """One summary row per story, in order of each story's first article in the input."""
    by_hash = {row["content_hash"]: row for row in articles}
    grouped: dict[str, list[Row]] = {}
    for member in members:
        grouped.setdefault(member["story"], []).append(member)
    result = []
    for story, group in grouped.items():
        originals = [by_hash[m["content_hash"]] for m in group if m["duplicate_of"] is None]
        sources: list[str] = []
        for article in originals:
            name = article.get("source") or f"(unnamed, {article['content_hash'][:12]})"
            if name not in sources:
                sources.append(name)
        dates: list[datetime] = [
            by_hash[m["content_hash"]]["published"]
            for m in group
            if by_hash[m["content_hash"]].get("published") is not None
        ]
        result.append(
            {
                "story": story,
                "title": (
                    by_hash.get(story) or (originals or [by_hash[group[0]["content_hash"]]])[0]
                ).get("title")
                or "",
                "articles": len(group),
                "independent_sources": len(sources),
                "sources": sources,
                "first_published": min(dates) if dates else None,
                "last_published": max(dates) if dates else None,
            }
        )
    return result


def story_schemas() -> dict[str, Any]:
    import pyarrow as pa

    when = pa.timestamp("us", tz="UTC")
    text = pa.string()
    return {
        "story_articles": pa.schema(
            [
                ("content_hash", text),
                ("story", text),
                ("duplicate_of", text),
                ("score", pa.float64()),
                ("explanation", text),
                ("partners", text),
            ]
        ),
        "stories": pa.schema(
            [
                ("story", text),
                ("title", text),
                ("articles", pa.int64()),
                ("independent_sources", pa.int64()),
                ("sources", pa.list_(text)),
                ("first_published", when),
                ("last_published", when),
            ]
        ),
    }
