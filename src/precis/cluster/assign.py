"""Story assignment: which articles tell one story?

Hand-written because no library does *incremental*, explainable clustering over a
persistent index. Each article is reduced to weighted keys (content terms, headline
terms, capitalised-phrase entities, numbers; see ``features``). Candidates come from an
inverted index over each article's most distinctive keys, so the work per article
depends on how many articles share its rare keys, not on the size of the store. Each
article is scored against its candidates only, and the articles are grouped by
*average* linkage over that sparse graph (``precis.cluster.linkage``: one chance overlap
with a big story is not enough), merging while the average reaches the threshold.

New articles arriving in a store are grouped together with the stored stories they
touch (see ``REGION_STORIES``; ``precis.store.storyassign``), so an early decision can be
revisited when later articles show two pieces belong together, as in one batch run.
Average linkage over the whole graph beat the earlier greedy one-pass assignment on the
training data (docs/benchmarks.md, "Clustering quality").

The pair score is a weighted sum of IDF-weighted cosines per key kind. The weights were
fitted once (logistic regression on pairs from the NeuS train split and the ECB+ train
topics, with the term cosine's weight fixed at 1) and the threshold swept on the same
training data; see bench/bench_clustering.py and docs/benchmarks.md. They are fixed for
all inputs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from precis.cluster import density
from precis.cluster.features import ArticleInput, Features, features
from precis.cluster.linkage import Fixed, Group, agglomerate
from precis.text import templates

KIND_WEIGHTS: Mapping[str, float] = {
    "t": 1.0,  # content terms (headline counted twice)
    "h": 0.09,  # headline terms: extra evidence, but outlets rewrite headlines freely
    "e": 0.24,  # capitalised phrases: who and where separate neighbouring events
    "n": 0.16,  # numbers and years: a different death toll or date is a different event
}
KIND_NAMES = {"t": "terms", "h": "headline", "e": "entities", "n": "numbers"}
# Average linkage (over pair scores rescaled by ``density.scale``) at which two groups of
# articles are one story. Swept on training data only (eight ~918-article chunks of the
# NeuS train split, mean B3 F1, and the ECB+ train topics; bench/tune_clustering.py):
# 0.26-0.29 form a plateau, 0.27 is its middle (docs/benchmarks.md, "Local scaling").
THRESHOLD = 0.27
# New articles are re-clustered together with the stored stories they touch: for each,
# the REGION_STORIES stories it has the most summed pair score with, if a user has not
# corrected them and they have at most REGION_SIZE original articles (bounded cost per
# article; other stories still take articles in, but are never split or merged).
REGION_STORIES = 6
REGION_SIZE = 30
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
    # articles of one site, with different titles, that make a paragraph its template
    template_titles: int = templates.MIN_TITLES


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
    # its best pair scores by partner (``density.top_partners``); None: never scored
    partners: Mapping[str, float] | None = None


def top_candidates(counts: Mapping[str, int], limit: int) -> list[str]:
    """The ``limit`` articles sharing the most index keys (ties: by id)."""
    return sorted(counts, key=lambda m: (-counts[m], m))[:limit]


def candidate_edges(
    order: Sequence[str],
    weights: Mapping[str, Mapping[str, float]],
    filed: Mapping[str, Sequence[str]],
    published: Mapping[str, datetime | None],
    window_days: float,
) -> dict[str, dict[str, float]]:
    """The sparse pair-score graph of a set of articles: each is scored against at most
    ``MAX_CANDIDATES`` others sharing the most of its index keys, pairs further apart in
    time than the window left out. Symmetric."""
    postings: dict[str, list[str]] = defaultdict(list)
    for article in order:
        for key in filed[article]:
            postings[key].append(article)
    edges: dict[str, dict[str, float]] = {article: {} for article in order}
    for article in order:
        counts: dict[str, int] = defaultdict(int)
        for key in filed[article]:
            for other in postings[key]:
                if other != article:
                    counts[other] += 1
        row = edges[article]
        for other in top_candidates(counts, MAX_CANDIDATES):
            if other not in row and within(published[article], published[other], window_days):
                score = pair_total(weights[article], weights[other])
                row[other] = score
                edges[other][article] = score
    return edges


def placements(
    groups: Sequence[Group],
    edges: Mapping[str, Mapping[str, float]],
    keys: Mapping[str, Mapping[str, float]],
    fixed: Mapping[str, Fixed],
) -> dict[str, tuple[float, dict[str, object]]]:
    """Each grouped article's average pair score with the rest of its story and why
    (its closest fellow member). ``keys`` holds the weights of every graph node."""
    fixed_members: dict[str, set[str]] = defaultdict(set)
    fixed_sizes: dict[str, int] = {}
    for node, held in fixed.items():
        fixed_members[held.name].add(node)
        fixed_sizes[held.name] = held.size
    found: dict[str, tuple[float, dict[str, object]]] = {}
    for group in groups:
        fellows = set(group.members)
        size = len(fellows)
        if group.fixed is not None:
            fellows |= fixed_members[group.fixed]
            size = len(group.members) + fixed_sizes[group.fixed]
        for article in group.members:
            row = edges.get(article, {})
            linked = sorted(
                ((score, other) for other, score in row.items() if other in fellows),
                key=lambda item: (-item[0], item[1]),
            )
            if not linked or size < 2:
                found[article] = (0.0, {})
                continue
            average = sum(score for score, _ in linked) / (size - 1)
            closest = linked[0][1]
            detail = pair_score(keys[article], keys[closest])
            found[article] = (average, explain(average, closest, detail))
    return found


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


def within(a: datetime | None, b: datetime | None, days: float) -> bool:
    if a is None or b is None:
        return True
    return abs((a - b).total_seconds()) <= days * 86400


def canonical_key(article: ArticleInput) -> tuple[str, str, str]:
    """Processing order: publication time, then text, then id, never input order."""
    when = article.published.isoformat() if article.published else ""
    digest = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
    return (when, digest, article.id)


@dataclass(frozen=True, slots=True)
class Assignment:
    id: str
    story: str
    duplicate_of: str | None
    score: float
    explanation: dict[str, object]
    # an original's best pair scores by partner id (``density.top_partners``), which a
    # store keeps to know its density; None for a copy
    partners: dict[str, float] | None = None


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

    def paragraphs(self, article: ArticleInput) -> Sequence[str] | None:
        """The fingerprints of the article's paragraphs (``templates.digests``)."""
        ...


@dataclass(frozen=True, slots=True)
class Prepared:
    bands: list[str]
    keys: dict[str, float]
    paragraphs: list[str]


def prepare(article: ArticleInput) -> Prepared:
    """What ``Precomputed`` gives for one article."""
    from precis.cluster import dedup

    shingled = dedup.shingles(dedup.copy_text(article.title, article.text))
    return Prepared(
        dedup.band_keys(shingled),
        article_keys(features(article.title, article.text)),
        templates.digests(article.text),
    )


def cluster(
    articles: Sequence[ArticleInput],
    params: Params | None = None,
    containment: float | None = None,
    precomputed: Precomputed | None = None,
) -> list[Assignment]:
    """Batch clustering (``precis cluster``): copies join their original; the originals,
    weighed with the document frequencies of the whole input, are grouped by average
    linkage over their candidate graph. Input order never matters (the graph and the
    tie-breaks follow ``canonical_key``). Results come back in input order; a story is
    named by its first article's id in that order. What the originals' keys compare
    leaves out each site's template (the edge paragraphs three or more of its articles
    repeat, ``precis.text.templates``; the site is the URL's host, else the source), as
    the store's do: ``precomputed`` keys (``precis batch``'s, computed on the workers
    from whole texts) are used only for originals that have none. Copies are found on
    the whole texts."""
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
    # templates are counted over every article, as the store counts every stored one; an
    # original that loses its template is keyed again, whatever was precomputed
    stripped = {a.id: a for a in without_templates(ordered, precomputed, params.template_titles)}
    keyed = {
        a.id: given[a.id]
        if a.id in given and stripped[a.id] is a
        else article_keys(features(a.title, stripped[a.id].text))
        for a in originals
    }
    df: dict[str, int] = defaultdict(int)
    for keys in keyed.values():
        for key in keys:
            df[key] += 1
    weights = {i: weigh(k, max(len(originals), 1), df) for i, k in keyed.items()}
    order = [a.id for a in originals]
    edges = candidate_edges(
        order,
        weights,
        {i: index_keys(w, df) for i, w in weights.items()},
        {a.id: a.published for a in originals},
        params.window_days,
    )
    tops = {a: density.top_partners(row) for a, row in edges.items()}
    mean = density.mean_density(density.density(top.values()) for top in tops.values())
    edges = density.scale(edges, tops, mean)

    groups = agglomerate(order, edges, params.threshold)
    placed = placements(groups, edges, weights, {})
    result: dict[str, Assignment] = {}
    for group in groups:
        for article_id in group.members:
            score, why = placed[article_id]
            result[article_id] = Assignment(
                article_id, group.members[0], None, score, why, tops[article_id]
            )
    for copy, original in copies.items():
        result[copy] = Assignment(
            copy, result[original].story, original, 1.0, {"copy_of": original}
        )
    return [result[i] for i in ids]


def without_templates(
    articles: Sequence[ArticleInput],
    precomputed: Precomputed | None = None,
    least: int = templates.MIN_TITLES,
) -> list[ArticleInput]:
    """The articles without their site's template (``precis.text.templates``; ``least``
    articles of different titles make one), the template found among ``articles``
    themselves; paragraph fingerprints come from ``precomputed`` where it has them
    (``precis batch`` hashes them on its workers)."""
    sites = [templates.site_of(a.url, a.source) for a in articles]
    given = [precomputed.paragraphs(a) if precomputed else None for a in articles]
    found = [
        templates.digests(a.text) if g is None and site is not None else list(g or ())
        for a, g, site in zip(articles, given, sites, strict=True)
    ]
    texts = templates.strip_all(
        [a.text for a in articles], sites, [a.title for a in articles], found, least=least
    )
    return [
        a if text == a.text else dataclasses.replace(a, text=text)
        for a, text in zip(articles, texts, strict=True)
    ]
