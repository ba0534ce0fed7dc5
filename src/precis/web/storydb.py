"""The reader's ``StoryProvider`` over the story tables (``store/stories.py``).

Ranking: a story's weight is its number of independent sources (outlets of original
articles; syndicated copies do not count), halved for every ``HALF_LIFE_DAYS`` its
latest article is older than the newest story. Age is measured from the newest story,
not from the clock, so an archive read later still opens on its own latest news. The
per-story counts come from one GROUP BY, kept until a story changes (the count of
memberships and the newest ``stories.updated_at`` are the cheap change check).

Story summaries (``cluster.storysum``, a TF-IDF matrix over every sentence of the
story) are cached in process, keyed by story id, a digest of the members' text and the
requested length: a new article, an edit or a correction changes the key.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from precis.cluster.storysum import SourceArticle, StorySummary, summarize_story
from precis.config import Settings
from precis.models import ParsedDocument
from precis.pipeline import story_store
from precis.store import Store
from precis.store.entities import shared_statements
from precis.store.schema import articles, entity_analyses, stories, story_articles
from precis.store.stories import StoryArticle as StoredMember
from precis.store.stories import StoryStore, outlet_key
from precis.summarize import Length
from precis.web.stories import (
    Citation,
    Claim,
    Disagreement,
    Reason,
    StoryArticle,
    StoryCard,
    StoryPlace,
    StoryPoint,
    StorySummaryView,
    StoryView,
)

HALF_LIFE_DAYS = 2.0  # a story two days older than the newest counts half its sources
SUMMARY_CACHE = 256  # story summaries kept per process (a few KB each)
MAX_DISAGREEMENTS = 6  # the page lists the clearest few; pairs beyond are near repeats
SHARED_TERMS = 12  # keys shown as the story's common vocabulary
CHUNK = 400  # bound parameters per IN (...): well under SQLite's limit

Parse = Callable[[str, str], ParsedDocument]

_joined = story_articles.alias("joined")  # the article's own membership row
_PLACE = (
    sa.select(
        story_articles.c.story_id,
        stories.c.corrected,
        articles.c.id,
        articles.c.title,
        articles.c.source,
        articles.c.published,
        story_articles.c.duplicate_of,
    )
    .select_from(_joined)
    .join(stories, stories.c.id == _joined.c.story_id)
    .join(story_articles, story_articles.c.story_id == _joined.c.story_id)
    .join(articles, articles.c.id == story_articles.c.article_id)
    .where(_joined.c.article_id == sa.bindparam("article_id"))
)


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    sources: int
    articles: int
    first: datetime | None
    latest: datetime | None
    corrected: bool


@dataclass(slots=True)
class StoreStories:
    """``StoryProvider`` over a ``Store``'s story tables."""

    store: Store
    settings: Settings
    parse: Parse
    stories: StoryStore = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ranked: tuple[tuple[Any, ...], list[_Row]] | None = None
    _summaries: OrderedDict[tuple[int, str, str], StorySummaryView] = field(
        default_factory=OrderedDict
    )

    def __post_init__(self) -> None:
        self.stories = story_store(self.store, self.settings)

    # -- lists --------------------------------------------------------------------------
    def top(self, limit: int, offset: int = 0, min_sources: int = 1) -> list[StoryCard]:
        rows = [r for r in self._ranking() if r.sources >= min_sources][offset : offset + limit]
        members = self._members([r.id for r in rows])
        return [_card(r.id, members.get(r.id, []), r.corrected) for r in rows]

    def count(self, min_sources: int = 1) -> int:
        return sum(1 for r in self._ranking() if r.sources >= min_sources)

    def place(self, article_id: int) -> StoryPlace | None:
        """The article's story and its neighbours in it (one prebuilt query: this runs
        on every article page)."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(_PLACE, {"article_id": article_id}).all()
        if not rows:
            return None
        story_id, corrected = int(rows[0].story_id), bool(rows[0].corrected)
        members = [StoryArticle(*row[2:]) for row in rows]
        timeline = sorted(members, key=_time_key)
        at = next(i for i, m in enumerate(timeline) if m.id == article_id)
        return StoryPlace(
            _card(story_id, members, corrected),
            timeline[at - 1] if at > 0 else None,
            timeline[at + 1] if at + 1 < len(timeline) else None,
        )

    # -- one story ----------------------------------------------------------------------
    def view(self, story_id: int, length: Length | None = None) -> StoryView:
        stored = self.stories.get(story_id)
        members = [_article(a) for a in stored.articles]
        reasons = tuple(_reason(_article(a), a) for a in sorted(stored.articles, key=_time_key))
        vocabulary: Counter[str] = Counter()
        for reason in reasons:
            for _kind, keys in reason.shared:
                vocabulary.update(keys)
        return StoryView(
            card=_card(story_id, members, stored.corrected),
            summary=self._summary(story_id, stored.articles, length or Length()),
            articles_by_outlet=_by_outlet(members),
            why_grouped=reasons,
            shared_terms=tuple(k for k, _ in vocabulary.most_common(SHARED_TERMS)),
            said=self._said([a.id for a in stored.articles]),
        )

    def summary(self, story_id: int, length: Length | None = None) -> StorySummaryView:
        stored = self.stories.get(story_id)
        return self._summary(story_id, stored.articles, length or Length())

    # -- internals ----------------------------------------------------------------------
    def _summary(
        self, story_id: int, members: Sequence[StoredMember], length: Length
    ) -> StorySummaryView:
        originals = [a for a in members if a.duplicate_of is None]
        digest = hashlib.sha256()
        for a in sorted(originals, key=lambda a: a.id):
            for part in (str(a.id), a.source or "", a.title, a.text):
                digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        key = (story_id, digest.hexdigest(), length.key)
        with self._lock:
            if key in self._summaries:
                self._summaries.move_to_end(key)
                return self._summaries[key]
        sources = [SourceArticle(str(a.id), a.text, a.title, a.source) for a in originals]
        found = self._cited(summarize_story(sources, length), originals, length)
        with self._lock:
            self._summaries[key] = found
            while len(self._summaries) > SUMMARY_CACHE:
                self._summaries.popitem(last=False)
        return found

    def _cited(
        self, result: StorySummary, originals: Sequence[StoredMember], length: Length
    ) -> StorySummaryView:
        by_id = {str(a.id): a for a in originals}
        index: dict[str, dict[str, int]] = {}

        def cite(article_id: str, text: str) -> Citation:
            member = by_id[article_id]
            if article_id not in index:
                doc = self.parse(member.text, member.title)
                index[article_id] = {
                    doc.sentence_text(i): i for i in reversed(range(len(doc.sentences)))
                }
            return Citation(member.id, index[article_id].get(text), member.source, text)

        def point(p: Any) -> StoryPoint:
            return StoryPoint(p.text, tuple(cite(a, p.quotes.get(a, p.text)) for a in p.sources))

        # Pairs that share a sentence are one conflict ("12" here and there vs "14"):
        # merged, clearest (fewest numbers) first.
        groups: list[dict[tuple[str, str], list[str]]] = []
        ordered = sorted(result.disagreements, key=lambda d: sum(map(len, d.values.values())))
        for d in ordered:
            sides = {(a, d.claims[a]): d.values[a] for a in d.claims}
            home = next((g for g in groups if g.keys() & sides.keys()), None)
            if home is None:
                if len(groups) >= MAX_DISAGREEMENTS:
                    continue
                groups.append(sides)
            else:
                home.update(sides)
        disagreements = [
            Disagreement(tuple(Claim(cite(a, text), tuple(v)) for (a, text), v in g.items()))
            for g in groups
        ]
        return StorySummaryView(
            overview=tuple(point(p) for p in result.overview),
            common_ground=tuple(point(p) for p in result.common),
            only_in=tuple(
                (outlet, tuple(point(p) for p in points))
                for outlet, points in result.only_here.items()
            ),
            disagreements=tuple(disagreements),
            length=length.key,
        )

    def _said(self, article_ids: list[int]) -> tuple[dict[str, Any], ...] | None:
        """Statements carried by two or more outlets, if entity analysis is stored."""
        with self.store.engine.connect() as conn:
            analysed = conn.execute(
                sa.select(sa.func.count()).where(entity_analyses.c.article_id.in_(article_ids))
            ).scalar_one()
        if not analysed:
            return None
        return tuple(g for g in shared_statements(self.store, article_ids) if g["outlets"] >= 2)

    def _ranking(self) -> list[_Row]:
        with self.store.engine.connect() as conn:
            version = tuple(
                conn.execute(
                    sa.select(
                        sa.select(sa.func.count()).select_from(story_articles).scalar_subquery(),
                        sa.select(sa.func.max(stories.c.updated_at)).scalar_subquery(),
                    )
                ).one()
            )
            with self._lock:
                if self._ranked is not None and self._ranked[0] == version:
                    return self._ranked[1]
            rows = [_Row(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in conn.execute(_RANKING)]
        ranked = _rank(rows)
        with self._lock:
            self._ranked = (version, ranked)
        return ranked

    def _members(self, story_ids: list[int]) -> dict[int, list[StoryArticle]]:
        found: dict[int, list[StoryArticle]] = {}
        with self.store.engine.connect() as conn:
            for start in range(0, len(story_ids), CHUNK):
                query = (
                    sa.select(
                        story_articles.c.story_id,
                        articles.c.id,
                        articles.c.title,
                        articles.c.source,
                        articles.c.published,
                        story_articles.c.duplicate_of,
                    )
                    .join(articles, articles.c.id == story_articles.c.article_id)
                    .where(story_articles.c.story_id.in_(story_ids[start : start + CHUNK]))
                )
                for row in conn.execute(query):
                    found.setdefault(int(row.story_id), []).append(StoryArticle(*row[1:]))
        return found


_RANKING = (
    sa.select(
        story_articles.c.story_id,
        sa.func.count(sa.distinct(outlet_key())),
        sa.func.count(),
        sa.func.min(articles.c.published),
        sa.func.max(articles.c.published),
        sa.func.max(sa.case((stories.c.corrected, 1), else_=0)),
    )
    .join(articles, articles.c.id == story_articles.c.article_id)
    .join(stories, stories.c.id == story_articles.c.story_id)
    .group_by(story_articles.c.story_id)
)


def _rank(rows: list[_Row]) -> list[_Row]:
    dated = [r.latest for r in rows if r.latest is not None]
    newest = max(dated) if dated else None

    def weight(row: _Row) -> float:
        if row.latest is None or newest is None:
            return 0.0
        age = (newest - row.latest).total_seconds() / 86400
        return float(row.sources * 0.5 ** (age / HALF_LIFE_DAYS))

    def key(row: _Row) -> tuple[float, int, float, int]:
        stamp = row.latest.timestamp() if row.latest else float("-inf")
        return (-weight(row), -row.sources, -stamp, -row.id)

    return sorted(rows, key=key)


def _time_key(a: Any) -> tuple[bool, str, int]:
    return (a.published is None, a.published.isoformat() if a.published else "", a.id)


def _outlet(a: StoryArticle) -> str:
    return a.source or f"article {a.id}"


def _card(story_id: int, members: Iterable[StoryArticle], corrected: bool) -> StoryCard:
    timeline = sorted(members, key=_time_key)
    originals = [a for a in timeline if a.duplicate_of is None] or timeline
    outlets = tuple(dict.fromkeys(_outlet(a) for a in originals))
    dates = [a.published for a in timeline if a.published is not None]
    return StoryCard(
        id=story_id,
        title=originals[0].title if originals else "",
        sources=len(outlets),
        articles=len(timeline),
        outlets=outlets,
        first=min(dates) if dates else None,
        latest=max(dates) if dates else None,
        corrected=corrected,
    )


def _article(a: StoredMember) -> StoryArticle:
    return StoryArticle(a.id, a.title, a.source, a.published, a.duplicate_of)


def _by_outlet(members: list[StoryArticle]) -> tuple[tuple[str, tuple[StoryArticle, ...]], ...]:
    """Outlets in order of their first report; each outlet's articles by time."""
    groups: dict[str, list[StoryArticle]] = {}
    for a in sorted(members, key=_time_key):
        groups.setdefault(_outlet(a), []).append(a)
    return tuple((outlet, tuple(items)) for outlet, items in groups.items())


def _reason(article: StoryArticle, member: StoredMember) -> Reason:
    why = member.explanation or {}
    if member.duplicate_of is not None:
        return Reason(article, f"copy of article {member.duplicate_of}", 1.0, member.duplicate_of)
    if member.pinned:
        return Reason(article, "placed here by a correction")
    if not why:
        return Reason(article, "first article of the story")
    shared = why.get("shared")
    pairs = tuple(
        (str(kind), tuple(str(k) for k in keys))
        for kind, keys in (shared.items() if isinstance(shared, dict) else ())
        if isinstance(keys, list)
    )
    closest = why.get("closest")
    average = why.get("average")
    score = float(average) if isinstance(average, int | float) else member.score
    return Reason(
        article,
        f"joined with similarity {score:.2f}",
        score,
        int(closest) if isinstance(closest, str | int) and str(closest).isdigit() else None,
        pairs,
    )
