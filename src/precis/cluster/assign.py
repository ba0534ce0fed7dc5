"""Incremental story assignment: does a new article join a story, or start one?

Hand-written because no library does *incremental*, explainable clustering over a
persistent index. Each article is reduced to weighted keys (content terms, headline
terms, capitalised-phrase entities, numbers; see ``features``). Candidates come from an
inverted index over each article's most distinctive keys, so the work per article
depends on how many articles share its rare keys, not on the size of the store. The
article joins the story with the best *average* similarity over that story's members
(average linkage: one chance overlap with a big story is not enough), if it reaches the
threshold; otherwise it starts a story.

The pair score is a weighted sum of IDF-weighted cosines per key kind. The weights were
fitted once (logistic regression on pairs from the NeuS train split and the ECB+ train
topics, with the term cosine's weight fixed at 1) and the threshold swept on the same
training data; see bench/bench_clustering.py and docs/benchmarks.md. They are fixed for
all inputs.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from precis.cluster.features import ArticleInput, Features, features

KIND_WEIGHTS: Mapping[str, float] = {
    "t": 1.0,  # content terms (headline counted twice)
    "h": 0.09,  # headline terms: extra evidence, but outlets rewrite headlines freely
    "e": 0.24,  # capitalised phrases: who and where separate neighbouring events
    "n": 0.16,  # numbers and years: a different death toll or date is a different event
}
KIND_NAMES = {"t": "terms", "h": "headline", "e": "entities", "n": "numbers"}
# Both thresholds swept on training data only (eight ~918-article chunks of the NeuS
# train split, mean B3 F1, and the ECB+ train topics): best mean of the two.
THRESHOLD = 0.3
MERGE_THRESHOLD = 0.35  # average linkage at which two stories bridged by an article merge
# Stories bigger than this are not re-checked for merging (bounds the pair scores per
# article at MAX_MERGE_SIZE squared per touched story).
MAX_MERGE_SIZE = 30
MERGE_CANDIDATES = 5  # touched stories re-checked per joining article (bounded cost)
WINDOW_DAYS = 10.0  # articles published further apart than this never share a story
INDEX_KEYS = 20  # an article's most distinctive keys that go into the inverted index
MAX_CANDIDATES = 100  # candidate articles scored per new article (most shared keys first)
# A key in more than this many articles' index entries is too common to find candidates
# with (it would make retrieval cost grow with the store).
MAX_POSTINGS = 2000
SHOWN_KEYS = 8  # shared keys listed in an explanation


@dataclass(frozen=True, slots=True)
class Params:
    threshold: float = THRESHOLD
    window_days: float = WINDOW_DAYS
    merge_threshold: float = MERGE_THRESHOLD


def article_keys(f: Features) -> dict[str, float]:
    """Prefixed keys with raw counts: ``t:kerry``, ``h:kerry``, ``e:john kerry``, ``n:2019``."""
    keys: dict[str, float] = {f"t:{t}": float(c) for t, c in f.terms.items()}
    keys.update({f"h:{t}": 1.0 for t in sorted(f.title)})
    # Sorted: sets iterate in a per-process hash order, and the order of the sums in
    # ``weigh`` must not change a score's last bit from one run to the next.
    keys.update({f"e:{e}": 1.0 for e in sorted(f.entities)})
    keys.update({f"n:{n}": 1.0 for n in sorted(f.numbers)})
    return keys


def idf(n_docs: int, df: int) -> float:
    return math.log((n_docs + 1) / (df + 0.5))


def weigh(keys: Mapping[str, float], n_docs: int, df: Mapping[str, int]) -> dict[str, float]:
    """Sublinear TF x IDF, unit length within each kind."""
    raw = {k: (1 + math.log(c)) * max(idf(n_docs, df.get(k, 0)), 0.0) for k, c in keys.items()}
    norms: dict[str, float] = defaultdict(float)
    for key, w in raw.items():
        norms[key[0]] += w * w
    return {k: w / math.sqrt(norms[k[0]]) for k, w in raw.items() if w > 0}


def index_keys(weights: Mapping[str, float], df: Mapping[str, int]) -> list[str]:
    """The keys an article is filed under: its most distinctive, not-too-common ones."""
    usable = [k for k in weights if df.get(k, 0) <= MAX_POSTINGS]
    usable.sort(key=lambda k: (-weights[k] * KIND_WEIGHTS[k[0]], k))
    return usable[:INDEX_KEYS]


@dataclass(frozen=True, slots=True)
class PairScore:
    total: float
    parts: dict[str, float]
    shared: list[tuple[str, float]]


def pair_total(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """``pair_score(a, b).total`` without the explanation: the same sums in the same
    order (so the same float), at a fraction of the cost. Scoring candidates is the
    hot loop of assignment; only the chosen pair needs its shared keys listed."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    parts: dict[str, float] = {}
    other_weight = large.get
    for key, w in small.items():
        other = other_weight(key)
        if other is not None:
            kind = key[0]
            parts[kind] = parts.get(kind, 0.0) + w * other
    return sum(KIND_WEIGHTS[k] * v for k, v in parts.items())


def pair_score(a: Mapping[str, float], b: Mapping[str, float]) -> PairScore:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    parts: dict[str, float] = defaultdict(float)
    shared = []
    for key, w in small.items():
        other = large.get(key)
        if other is not None:
            contribution = w * other
            parts[key[0]] += contribution
            shared.append((key, contribution * KIND_WEIGHTS[key[0]]))
    total = sum(KIND_WEIGHTS[k] * v for k, v in parts.items())
    shared.sort(key=lambda item: (-item[1], item[0]))
    return PairScore(total, dict(parts), shared)


@dataclass(frozen=True, slots=True)
class Member:
    """A stored article as the index returns it."""

    id: str
    story: str
    keys: Mapping[str, float]
    published: datetime | None = None


class StoryIndex(Protocol):
    """Where candidates and corpus statistics come from (memory or database)."""

    def doc_count(self) -> int: ...

    def df(self, keys: Iterable[str]) -> dict[str, int]: ...

    def candidates(self, keys: Sequence[str], limit: int) -> list[Member]: ...

    def story_sizes(self, stories: Sequence[str]) -> dict[str, int]: ...

    def members(self, stories: Sequence[str], limit: int) -> dict[str, list[Member]]:
        """Members of each story that has at most ``limit`` of them."""
        ...

    def locked(self, ids: Sequence[str]) -> set[str]:
        """Those of the stories ``ids`` a user corrected."""
        ...


@dataclass(frozen=True, slots=True)
class Decision:
    """The story chosen (None: start a new one), its average score and why."""

    story: str | None
    score: float
    explanation: dict[str, object] = field(default_factory=dict)
    # Other stories the article has evidence for: after it joins ``story`` it may bridge
    # one of them to it (see ``merges``).
    touched: tuple[str, ...] = ()


def decide(
    keys: Mapping[str, float],
    published: datetime | None,
    index: StoryIndex,
    params: Params,
) -> tuple[Decision, dict[str, float], list[str]]:
    """Choose a story for an article; also returns its weights and its index keys."""
    df = index.df(keys)
    weights = weigh(keys, max(index.doc_count(), 1), df)
    filed = index_keys(weights, df)
    totals: dict[str, float] = defaultdict(float)
    best_pair: dict[str, tuple[float, Member]] = {}
    for member in index.candidates(filed, MAX_CANDIDATES):
        if not _within(published, member.published, params.window_days):
            continue
        score = pair_total(weights, member.keys)
        totals[member.story] += score
        if member.story not in best_pair or score > best_pair[member.story][0]:
            best_pair[member.story] = (score, member)
    best: tuple[float, str] | None = None
    sizes = index.story_sizes(sorted(totals))
    for story, total in sorted(totals.items()):
        average = total / max(sizes.get(story, 1), 1)
        if average >= params.threshold and (best is None or average > best[0]):
            best = (average, story)
    if best is None:
        return Decision(None, 0.0, {}), weights, filed
    # The stories the article is most tied to (by summed pair scores) are re-checked.
    ranked = sorted((s for s in totals if s != best[1]), key=lambda s: (-totals[s], s))
    touched = tuple(ranked[:MERGE_CANDIDATES])
    closest = best_pair[best[1]][1]
    explanation = explain(best[0], closest.id, pair_score(weights, closest.keys))
    return Decision(best[1], best[0], explanation, touched), weights, filed


def linkage(a: Sequence[Member], b: Sequence[Member], params: Params) -> float:
    """Average pair score between two stories' members (pairs outside the window
    count as 0)."""
    total = 0.0
    for x in a:
        for y in b:
            if _within(x.published, y.published, params.window_days):
                total += pair_total(x.keys, y.keys)
    return total / max(len(a) * len(b), 1)


def merges(story: str, touched: Sequence[str], index: StoryIndex, params: Params) -> list[str]:
    """Stories that ``story`` absorbs now that a new article joined it: greedily, the
    touched story with the best average linkage to it, while that reaches the merge
    threshold. This is the step of agglomerative average linkage that the new article
    made possible, limited to the stories it touched (bounded cost: at most
    ``MAX_MERGE_SIZE`` members each). Stories a user corrected are never merged."""
    locked = index.locked([story, *touched])
    if story in locked:
        return []
    others = [t for t in touched if t not in locked]
    groups = index.members([story, *others], MAX_MERGE_SIZE)
    if story not in groups:
        return []
    current = list(groups[story])
    merged: list[str] = []
    while True:
        scored = [(linkage(current, groups[t], params), t) for t in others if t in groups]
        passing = [(score, t) for score, t in scored if score >= params.merge_threshold]
        if not passing:
            return merged
        _, chosen = max(passing, key=lambda item: (item[0], item[1]))
        merged.append(chosen)
        current += groups[chosen]
        others.remove(chosen)


def explain(average: float, other: str, detail: PairScore) -> dict[str, object]:
    score = detail.total
    shared: dict[str, list[str]] = defaultdict(list)
    for key, _ in detail.shared[:SHOWN_KEYS]:
        shared[KIND_NAMES[key[0]]].append(key[2:])
    return {
        "average": round(average, 3),
        "closest": other,
        "closest_score": round(score, 3),
        "parts": {KIND_NAMES[k]: round(v, 3) for k, v in sorted(detail.parts.items())},
        "shared": dict(shared),
    }


def _within(a: datetime | None, b: datetime | None, days: float) -> bool:
    if a is None or b is None:
        return True
    return abs((a - b).total_seconds()) <= days * 86400


def canonical_key(article: ArticleInput) -> tuple[str, str, str]:
    """Processing order: publication time, then text, then id, never input order."""
    when = article.published.isoformat() if article.published else ""
    digest = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
    return (when, digest, article.id)


class MemoryIndex:
    """An in-memory ``StoryIndex`` with fixed document frequencies (batch clustering)."""

    def __init__(self, doc_count: int, df: Mapping[str, int]) -> None:
        self._n = doc_count
        self._df = df
        self._postings: dict[str, list[str]] = defaultdict(list)
        self._members: dict[str, Member] = {}
        self._sizes: dict[str, int] = defaultdict(int)
        self._stories: dict[str, list[str]] = defaultdict(list)

    def doc_count(self) -> int:
        return self._n

    def df(self, keys: Iterable[str]) -> dict[str, int]:
        return {k: self._df.get(k, 0) for k in keys}

    def candidates(self, keys: Sequence[str], limit: int) -> list[Member]:
        counts: dict[str, int] = defaultdict(int)
        for key in keys:
            for member_id in self._postings.get(key, ()):
                counts[member_id] += 1
        ranked = sorted(counts, key=lambda m: (-counts[m], m))[:limit]
        return [self._members[m] for m in ranked]

    def story_sizes(self, stories: Sequence[str]) -> dict[str, int]:
        return {story: self._sizes[story] for story in stories}

    def members(self, stories: Sequence[str], limit: int) -> dict[str, list[Member]]:
        return {
            s: [self._members[m] for m in self._stories[s]]
            for s in stories
            if len(self._stories[s]) <= limit
        }

    def locked(self, ids: Sequence[str]) -> set[str]:
        return set()

    def add(self, member: Member, filed: Sequence[str]) -> None:
        self._members[member.id] = member
        self._sizes[member.story] += 1
        self._stories[member.story].append(member.id)
        for key in filed:
            self._postings[key].append(member.id)

    def merge(self, into: str, other: str) -> None:
        for member_id in self._stories.pop(other):
            m = self._members[member_id]
            self._members[member_id] = Member(m.id, into, m.keys, m.published)
            self._stories[into].append(member_id)
        self._sizes[into] += self._sizes.pop(other)

    def story_of(self, member_id: str) -> str:
        return self._members[member_id].story


@dataclass(frozen=True, slots=True)
class Assignment:
    id: str
    story: str
    duplicate_of: str | None
    score: float
    explanation: dict[str, object]


class Precomputed(Protocol):
    """The per-article work of ``cluster``, done ahead of it (``precis batch`` does it on
    its workers in the map stage, see ``prepare``); ``cluster`` computes whatever this
    does not give."""

    def bands(self, article: ArticleInput) -> Sequence[str] | None:
        """The article's LSH band keys for copy detection (``dedup.band_keys``)."""
        ...

    def keys(self, articles: Sequence[ArticleInput]) -> Mapping[str, Mapping[str, float]]:
        """``article_keys`` of these articles by id (asked only for originals, once)."""
        ...


@dataclass(frozen=True, slots=True)
class Prepared:
    bands: list[str]
    keys: dict[str, float]


def prepare(article: ArticleInput) -> Prepared:
    """What ``Precomputed`` gives for one article."""
    from precis.cluster import dedup

    shingled = dedup.shingles(dedup.copy_text(article.title, article.text))
    return Prepared(dedup.band_keys(shingled), article_keys(features(article.title, article.text)))


def cluster(
    articles: Sequence[ArticleInput],
    params: Params | None = None,
    containment: float | None = None,
    precomputed: Precomputed | None = None,
) -> list[Assignment]:
    """Batch clustering (``precis cluster``): the incremental algorithm over an in-memory
    index, visiting articles in ``canonical_key`` order so input order never matters.
    Results come back in input order; a story is named by its first article's id."""
    from precis.cluster import dedup

    params = params or Params()
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        raise ValueError("article ids must be unique")
    ordered = sorted(articles, key=canonical_key)
    docs = []
    for a in ordered:
        bands = precomputed.bands(a) if precomputed else None
        text = dedup.copy_text(a.title, a.text)
        docs.append(dedup.Doc(a.id, canonical_key(a), text, tuple(bands) if bands else None))
    copies = dedup.find_copies(docs, containment if containment is not None else dedup.CONTAINMENT)
    originals = [a for a in ordered if a.id not in copies]
    given = precomputed.keys(originals) if precomputed else {}
    keyed = {
        a.id: given[a.id] if a.id in given else article_keys(features(a.title, a.text))
        for a in originals
    }
    df: dict[str, int] = defaultdict(int)
    for keys in keyed.values():
        for key in keys:
            df[key] += 1
    index = MemoryIndex(len(originals), df)
    result: dict[str, Assignment] = {}
    for article in originals:
        decision, weights, filed = decide(keyed[article.id], article.published, index, params)
        story = decision.story or article.id
        index.add(Member(article.id, story, weights, article.published), filed)
        if decision.story is not None:
            for other in merges(story, decision.touched, index, params):
                index.merge(story, other)
        result[article.id] = Assignment(
            article.id, story, None, decision.score, decision.explanation
        )
    for article_id, assignment in result.items():
        story = index.story_of(article_id)
        if story != assignment.story:
            result[article_id] = Assignment(
                article_id, story, None, assignment.score, assignment.explanation
            )
    for copy, original in copies.items():
        result[copy] = Assignment(
            copy, result[original].story, original, 1.0, {"copy_of": original}
        )
    return [result[i] for i in ids]
