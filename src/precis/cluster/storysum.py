"""Multi-source story summary: extractive, every sentence cited with every supporting article.

Hand-written because no summarizer we could find reports *support*: which other
outlets carry the same point. Each sentence of each article is compared with the
sentences of the other sources (TF-IDF cosine over the story's pooled sentences). A
sentence's score is a linear model of features the story alone gives (``FEATURES``:
agreement with the other sources, position in its article, similarity to the headlines
and to the story's centroid, support, a few wording cues), with weights *learned* from
the 2452 NeuS training stories (multi-outlet leads with an editor's neutral summary;
``bench/fit_storysum.py``), because every hand-set weighting we tried sat at the same
flat optimum and the learned one beat it in cross-validation on train. The overview is
chosen greedily with a redundancy penalty, within the usual length request.

* common ground: points carried by two or more independent sources, none resting on a
  sentence another listed point cites;
* only here: per source, its points no other source carries (none when the story has
  one outlet); a story of one article is summarized as the article alone;
* disagreements: sentences of different sources about the same point (similar wording)
  that give different numbers about the same thing (counts, amounts, dates in digits,
  counts spelled out; "COVID-19" is a name, "below 300,000" a bound), grouped by the
  numbers each side gives.

A sentence a feed cut off mid-way ("...has asked all...") is never a point.

Every point's ``text`` is a verbatim sentence of ``sources[0]``; ``quotes`` gives, for
every supporting article, its own verbatim sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from precis.summarize import summarize
from precis.summarize.base import Length, default_sentences
from precis.summarize.vectors import FloatArray, term_matrix
from precis.text.sentences import parse
from precis.text.tokens import content_terms

SUPPORT = 0.35  # cosine at which another source's sentence counts as carrying the point
DISAGREE_MIN = 0.3  # cosine at which two sentences are "about the same point"
POSITION_DECAY = 0.5  # prior of sentence i in its article: 1 / (1 + decay * i)
# MMR penalty per unit of cosine to an already chosen sentence; chosen with the weights
# below (grid 0.3-1.5, NeuS train ROUGE-1; bench/fit_storysum.py)
REDUNDANCY = 1.0
MAX_SENTENCES_PER_ARTICLE = 40  # long articles: their first 40 sentences carry the story
ONLY_HERE_PER_SOURCE = 2
MAX_COMMON = 8
# Disagreements shown: a story of twenty outlets has hundreds of differing pairs, and a
# reader checks a handful; the closest pairs (most likely the same point) come first.
MAX_DISAGREEMENTS = 8


@dataclass(frozen=True, slots=True)
class SourceArticle:
    id: str
    text: str
    title: str = ""
    source: str | None = None

    @property
    def outlet(self) -> str:
        return self.source or f"article {self.id}"


@dataclass(frozen=True, slots=True)
class Point:
    text: str
    sources: tuple[str, ...]
    quotes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Disagreement:
    point: str
    claims: dict[str, str]  # article id -> its verbatim sentence
    values: dict[str, list[str]]  # article id -> its numbers on the disputed point


@dataclass(frozen=True, slots=True)
class StorySummary:
    overview: tuple[Point, ...]
    common: tuple[Point, ...]
    only_here: dict[str, tuple[Point, ...]]
    disagreements: tuple[Disagreement, ...]


@dataclass(frozen=True, slots=True)
class _Unit:
    article: int
    position: int
    text: str
    terms: tuple[str, ...] = ()  # content_terms(text), found once when the unit is made


def summarize_story(
    articles: Sequence[SourceArticle], length: Length | None = None
) -> StorySummary:
    if len(articles) == 1:
        return _one_article(articles[0], length or Length())
    analysed = _analyse(articles)
    if analysed is None:
        return StorySummary((), (), {}, ())
    units, sims, support, _, scores = analysed
    outlets = [articles[u.article].outlet for u in units]
    points = [_point(articles, units, support, i) for i in range(len(units))]
    cut = {i for i, u in enumerate(units) if _CUT_OFF.search(u.text)}
    chosen = _select(units, scores, sims, length or Length(), skip=cut)
    common = [
        i
        for i in np.argsort(-scores, kind="stable")
        if i not in cut and len(_outlets(i, support, outlets)) >= 2
    ]
    unsupported = [i for i in range(len(units)) if not support[i] and i not in cut]
    exclusive = _not_said_elsewhere(unsupported, units, outlets)
    return StorySummary(
        overview=tuple(points[i] for i in chosen),
        common=tuple(points[i] for i in _distinct(common, sims, support)[:MAX_COMMON]),
        only_here=_only_here(exclusive, scores, points, outlets) if len(set(outlets)) > 1 else {},
        disagreements=tuple(_disagreements(articles, units, sims, outlets)),
    )


def _one_article(article: SourceArticle, length: Length) -> StorySummary:
    """A story of one article has no other source to weigh its sentences against (the
    story score's agreement, support and headline terms are empty or its own): its
    overview is the article's own summary, as its article page shows it."""
    found = summarize(parse(article.text, article.title), length)
    quotes = [{article.id: s.text} for s in found.sentences]
    return StorySummary(tuple(Point(q[article.id], (article.id,), q) for q in quotes), (), {}, ())


# A sentence a feed or roundup cut off mid-way ("... has asked all police forces...",
# "has a 49.2%..."): an ellipsis at the very end, right after anything but a sentence's
# own full stop. Not a claim to show; one that ends and trails off ("in 1993....") is.
_CUT_OFF = re.compile(r"[^.!?\s]\s*(?:\.{3}|\u2026)[\"'\u201d\u2019)\]]*$")


def _not_said_elsewhere(candidates: list[int], units: list[_Unit], outlets: list[str]) -> list[int]:
    """``candidates`` less those whose every content term is in one sentence of another
    outlet ("He was 84." inside "... has died at age 84 of Covid"): a short sentence's
    cosine to a longer one stays under SUPPORT, but its point is not its outlet's alone."""
    terms = [frozenset(u.terms) for u in units]
    return [
        i
        for i in candidates
        if not any(outlets[j] != outlets[i] and terms[i] <= terms[j] for j in range(len(units)))
    ]


def _analyse(
    articles: Sequence[SourceArticle],
) -> tuple[list[_Unit], FloatArray, list[dict[int, int]], FloatArray, FloatArray] | None:
    """The story's sentences, their cosine matrix, their support, their features
    (``FEATURES``) and their scores (the learned weights applied to the features)."""
    units = _units(articles)
    if not units:
        return None
    terms = [list(u.terms) for u in units]
    vectors, titles = term_matrix(terms, [content_terms(a.title) for a in articles])
    sims = np.asarray((vectors @ vectors.T).todense(), dtype=np.float64)
    outlets = [articles[u.article].outlet for u in units]
    support = _support(units, outlets, sims)
    features = sentence_features(units, terms, sims, vectors, titles, outlets, support)
    return units, sims, support, features, features @ np.array(WEIGHTS)


def _units(articles: Sequence[SourceArticle]) -> list[_Unit]:
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        raise ValueError("article ids must be unique within a story")
    units = []
    for number, article in enumerate(articles):
        doc = parse(article.text, article.title)
        for position in range(min(len(doc.sentences), MAX_SENTENCES_PER_ARTICLE)):
            text = doc.sentence_text(position)
            terms = tuple(content_terms(text))
            if terms:
                units.append(_Unit(number, position, text, terms))
    return units


def _support(units: list[_Unit], outlets: list[str], sims: FloatArray) -> list[dict[int, int]]:
    """For each sentence: article number -> index of that article's best matching sentence,
    for every *other* outlet's article that carries the point."""
    found: list[dict[int, int]] = []
    for i in range(len(units)):
        best: dict[int, int] = {}
        for j, other in enumerate(units):
            if outlets[j] == outlets[i] or sims[i, j] < SUPPORT:
                continue
            if other.article not in best or sims[i, j] > sims[i, best[other.article]]:
                best[other.article] = j
        found.append(best)
    return found


def _outlets(i: int, support: list[dict[int, int]], outlets: list[str]) -> set[str]:
    return {outlets[i], *(outlets[j] for j in support[i].values())}


def _agreement(sims: FloatArray, outlets: list[str]) -> FloatArray:
    """Mean, over the other outlets, of the best cosine to one of their sentences."""
    names = list(dict.fromkeys(outlets))
    own = np.array([names.index(o) for o in outlets])
    if len(names) < 2:
        return np.zeros(len(outlets))
    total = np.zeros(len(outlets))
    for k in range(len(names)):
        best = np.maximum(sims[:, own == k].max(axis=1), 0.0)
        total += np.where(own == k, 0.0, best)
    return total / (len(names) - 1)


def _position_prior(units: list[_Unit]) -> FloatArray:
    return np.array([1.0 / (1.0 + POSITION_DECAY * u.position) for u in units])


# The sentence score: a linear model of these features, fitted on the 2452 NeuS TRAIN
# stories by bench/fit_storysum.py (``--within --targets f --search --full``): ridge
# regression of each sentence's own ROUGE-1 F against the editors' neutral summary
# (features and target centred per story: only the order within a story matters),
# rescaled to the spread of the former hand-set score, then coordinate ascent on the
# training summaries' ROUGE-1 (which zeroed the length, density and attribution terms:
# a sentence's own F favours long sentences, the summary's F does not). In two-fold
# cross-validation on train it beat the former hand-set score (agreement 1.0 + position
# prior 0.6 + headline similarity 0.8) on both halves; see docs/benchmarks.md.
LEARNED: tuple[tuple[str, float], ...] = (
    ("agreement", 0.017988),  # mean best cosine to each other outlet's sentences
    ("position_prior", -0.433868),  # 1 / (1 + POSITION_DECAY * position)
    ("first", 0.065193),  # first sentence of its article
    ("relative_position", -0.174752),  # position / the article's sentence count
    ("article_sentences", -0.009981),  # the article's sentence count
    ("title_mean", 0.438089),  # mean cosine to all headlines
    ("own_title", 0.238081),  # cosine to its own article's headline
    ("other_titles", 0.720032),  # mean cosine to the other articles' headlines
    ("max_other", 0.068078),  # best cosine to another outlet's sentence
    ("support_share", -0.095823),  # share of the other outlets carrying it (SUPPORT)
    ("centroid", 1.514393),  # cosine to the story's mean sentence vector
    ("log_words", 0.0),  # log(1 + words)
    ("term_density", 0.0),  # content terms per word
    ("numbers", 0.009814),  # digit runs
    ("names", 0.007466),  # capitalised words after the first
    ("quoted", -0.023449),  # has a quotation mark
    ("pronoun_start", 0.031406),  # starts with a pronoun or conjunction
    ("attribution", 0.0),  # "said", "told", "according to"...
)
FEATURES = tuple(name for name, _ in LEARNED)
WEIGHTS = tuple(weight for _, weight in LEARNED)
_PRONOUN_START = re.compile(
    r"^(?:he|she|it|they|this|that|these|those|his|her|its|their|but|and|also)\b", re.I
)
_ATTRIBUTION = re.compile(r"\b(?:said|says|told|according to|stated|announced)\b", re.I)
_QUOTE = re.compile(r"[\"\u201c\u201d]")
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]+")


def _surface(text: str, terms: int) -> list[float]:
    """Features of the sentence's own wording (``terms``: its content terms)."""
    tokens = text.split()
    return [
        float(np.log1p(len(tokens))),
        terms / max(1, len(tokens)),
        float(len(_DIGIT_RUN.findall(text))),
        float(len(_NAME.findall(text))),
        float(bool(_QUOTE.search(text))),
        float(bool(_PRONOUN_START.match(text))),
        float(bool(_ATTRIBUTION.search(text))),
    ]


def sentence_features(
    units: list[_Unit],
    terms: list[list[str]],
    sims: FloatArray,
    vectors: Any,
    titles: Any,
    outlets: list[str],
    support: list[dict[int, int]],
) -> FloatArray:
    """One row per sentence, one column per name in ``FEATURES`` (``terms``: each
    sentence's content terms, as ``vectors`` was built from)."""
    n = len(units)
    sizes = Counter(u.article for u in units)
    others = max(1, len(set(outlets)) - 1)
    article = np.array([u.article for u in units])
    centroid = np.asarray(vectors.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centroid)) or 1.0
    to_centroid = np.asarray(vectors @ (centroid / norm)).ravel()
    # cosine of each sentence to each headline, computed once for the three title terms
    title_sims = np.asarray((vectors @ titles.T).todense()) if titles.shape[0] else np.zeros((n, 0))
    heads = title_sims.shape[1]
    title_mean = title_sims.mean(axis=1) if heads else np.zeros(n)
    own_title = title_sims[np.arange(n), article] if heads else np.zeros(n)
    other_titles = (title_sims.sum(axis=1) - own_title) / (heads - 1) if heads > 1 else np.zeros(n)
    outlet_of = np.array(outlets, dtype=object)
    other_outlet = outlet_of[:, None] != outlet_of[None, :]
    max_other = np.where(other_outlet, sims, -np.inf).max(axis=1)
    max_other[~other_outlet.any(axis=1)] = 0.0
    columns = [
        _agreement(sims, outlets),
        _position_prior(units),
        np.array([float(u.position == 0) for u in units]),
        np.array([u.position / sizes[u.article] for u in units]),
        np.array([float(sizes[u.article]) for u in units]),
        title_mean,
        own_title,
        other_titles,
        max_other,
        np.array([len(support[i]) / others for i in range(n)]),
        to_centroid,
    ]
    surface = np.array([_surface(u.text, len(t)) for u, t in zip(units, terms, strict=True)])
    return np.column_stack([*columns, surface.reshape(n, -1)]).astype(np.float64)


def _select(
    units: list[_Unit],
    scores: FloatArray,
    sims: FloatArray,
    length: Length,
    redundancy: float | None = None,
    skip: set[int] | None = None,
) -> list[int]:
    """Greedy MMR within the length request (``redundancy``: default ``REDUNDANCY``),
    never choosing a sentence in ``skip`` unless nothing else is left to choose."""
    penalty_weight = REDUNDANCY if redundancy is None else redundancy
    budget_sentences = length.sentences
    budget_words = length.words
    if length.ratio is not None:
        budget_words = max(1, round(length.ratio * sum(len(u.text.split()) for u in units)))
    if budget_sentences is None and budget_words is None:
        budget_sentences = default_sentences(len(units))
    chosen: list[int] = []
    used = 0
    remaining = set(range(len(units))) - (skip or set())
    remaining = remaining or set(range(len(units)))
    while remaining:
        penalty = sims[:, chosen].max(axis=1) if chosen else np.zeros(len(units))
        best = max(remaining, key=lambda i: (scores[i] - penalty_weight * penalty[i], -i))
        remaining.discard(best)
        size = len(units[best].text.split())
        if budget_words is not None and chosen and used + size > budget_words:
            continue
        chosen.append(best)
        used += size
        if budget_sentences is not None and len(chosen) >= budget_sentences:
            break
        if budget_words is not None and used >= budget_words:
            break
    return chosen


def _point(
    articles: Sequence[SourceArticle], units: list[_Unit], support: list[dict[int, int]], i: int
) -> Point:
    origin = articles[units[i].article].id
    quotes = {origin: units[i].text}
    for article, j in sorted(support[i].items()):
        quotes[articles[article].id] = units[j].text
    return Point(units[i].text, tuple(quotes), quotes)


def _distinct(order: Sequence[int], sims: FloatArray, support: list[dict[int, int]]) -> list[int]:
    """Drop points that restate an earlier one: cosine at or above SUPPORT, or resting on
    a sentence an earlier point already cites (two sentences that each match a third one
    are usually the same point worded apart, and the reader would see that third sentence
    quoted twice)."""
    kept: list[int] = []
    cited: set[int] = set()
    for i in order:
        evidence = {int(i), *support[i].values()}
        if all(sims[i, k] < SUPPORT for k in kept) and not evidence & cited:
            kept.append(int(i))
            cited |= evidence
    return kept


def _only_here(
    exclusive: list[int], scores: FloatArray, points: list[Point], outlets: list[str]
) -> dict[str, tuple[Point, ...]]:
    """Per outlet, its best ``exclusive`` sentences (no other outlet carries them)."""
    result: dict[str, tuple[Point, ...]] = {}
    for outlet in dict.fromkeys(outlets):
        mine = [i for i in exclusive if outlets[i] == outlet]
        mine.sort(key=lambda i: (-scores[i], i))
        if mine:
            result[outlet] = tuple(points[i] for i in mine[:ONLY_HERE_PER_SOURCE])
    return result


# Spelled-out counts: "one" is left out ("one of them", "no one" are rarely counts).
_UNITS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
    if word != "one"
}
_DIGITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_TENS |= {"eighty": 80, "ninety": 90}
_DIGIT_RUN = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")  # as cluster.features.numbers
_NUMBER_WORD = re.compile(
    rf"\b(?:({'|'.join(_TENS)})(?:[- ]({'|'.join(_DIGITS)}))?|({'|'.join(_UNITS)}))\b",
    re.IGNORECASE,
)


# A digit run after a letter and a hyphen ("COVID-19", "G-7", "F-35") or on either side
# of a slash ("9/11", "24/7") names something; it is not a count or a date to compare
# ("11-day war", "26-year-old" are measures and stay).
_NAMED_BEFORE = re.compile(r"(?:[A-Za-z]-|\d/)$")
_NAMED_AFTER = re.compile(r"/\d")
_CONTEXT_WORDS = 3  # how far to look for the word a number counts ("fell to 444,000")


def _numbers(text: str) -> Iterator[tuple[str, re.Match[str]]]:
    """Numbers in ``text`` with where they stand: digits, and spelled-out counts up to
    ninety-nine ("Fourteen people were injured" gives 14), so "12 injured" and "Fourteen
    injured" disagree."""
    for match in _DIGIT_RUN.finditer(text):
        if _NAMED_BEFORE.search(text, 0, match.start()) or _NAMED_AFTER.match(text, match.end()):
            continue
        yield match.group(0).replace(",", ""), match
    for match in _NUMBER_WORD.finditer(text):
        tens, unit, single = match.groups()
        if single:
            value = _UNITS[single.lower()]
        else:
            value = _TENS[tens.lower()] + (_DIGITS.index(unit.lower()) + 1 if unit else 0)
        yield str(value), match


# Words before a number that make it a bound or an estimate, not a value: "below 300,000"
# agrees with "293,000", "nearly 300,000" with "293,000" (within ``_ESTIMATE``).
_BOUND = re.compile(
    r"\b(?:(?P<below>below|under|less than|fewer than|up to|at most)"
    r"|(?P<above>above|over|more than|exceeding|at least)"
    r"|(?P<about>about|around|nearly|almost|roughly|approximately|some|close to))\s+\$?$",
    re.IGNORECASE,
)
_ESTIMATE = 0.1  # "about X" agrees with a count within 10% of X


def _values(text: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Each number of ``text`` mapped to its context (``_beside``), so that only numbers
    about the same thing are compared, and to how it is qualified ("below", "above",
    "about"), in one pass over the numbers."""
    context: dict[str, set[str]] = {}
    bounds: dict[str, set[str]] = {}
    for value, match in _numbers(text):
        context.setdefault(value, set()).update(_beside(text, match))
        bound = _BOUND.search(text, max(0, match.start() - 20), match.start())
        if bound is not None:
            bounds.setdefault(value, set()).add(str(bound.lastgroup))
    return context, bounds


def _meets(value: str, bounds: set[str], other: str) -> bool:
    """Whether ``other`` is consistent with ``value`` qualified by ``bounds``."""
    try:
        x, y = float(value), float(other)
    except ValueError:
        return False
    return (
        ("below" in bounds and y <= x)
        or ("above" in bounds and y >= x)
        or ("about" in bounds and abs(y - x) <= _ESTIMATE * x)
    )


def _consistent(
    mine: list[str],
    my_bounds: dict[str, set[str]],
    theirs: list[str],
    their_bounds: dict[str, set[str]],
) -> bool:
    """Some number of one side is a bound or estimate that a number of the other meets."""
    return any(
        _meets(x, my_bounds.get(x, set()), y) or _meets(y, their_bounds.get(y, set()), x)
        for x in mine
        for y in theirs
    )


def _beside(text: str, match: re.Match[str]) -> set[str]:
    """The nearest word on each side (within ``_CONTEXT_WORDS``) that has content terms
    other than numbers: "fell to 444,000" gives "fell", "12 people" gives "people"."""
    before = text[: match.start()].split()[-_CONTEXT_WORDS:]
    after = text[match.end() :].split()[:_CONTEXT_WORDS]
    return _nearest(reversed(before)) | _nearest(after)


def _nearest(words: Iterable[str]) -> set[str]:
    for word in words:
        terms = {t for t in content_terms(word) if not t.isdigit()}
        if terms:
            return terms
    return set()


def _focus(mine: dict[str, set[str]], theirs: dict[str, set[str]]) -> list[str]:
    """The numbers of ``mine`` said about the same thing as one of ``theirs`` (a shared
    neighbouring word: "12 people" / "Fourteen people"); none when no word is shared."""
    context = set().union(*theirs.values())
    return sorted(v for v, terms in mine.items() if terms & context)


def _disagreements(
    articles: Sequence[SourceArticle], units: list[_Unit], sims: FloatArray, outlets: list[str]
) -> list[Disagreement]:
    """Pairs of sentences from different outlets about the same point (cosine at least
    DISAGREE_MIN) whose numbers about the same thing differ; the closest pairs first, each
    adding a sentence not shown yet (five outlets with five tolls give four pairs, not
    ten), at most MAX_DISAGREEMENTS. Outlets that give the same numbers as a side of a
    listed pair join it ("12" from two outlets, "14" from a third: one disagreement)."""
    read = [_values(u.text) for u in units]
    values = [context for context, _ in read]
    bounds = [qualified for _, qualified in read]
    candidates: list[tuple[float, int, int, list[str], list[str]]] = []
    for i in range(len(units)):
        for j in range(i + 1, len(units)):
            if outlets[i] == outlets[j] or sims[i, j] < DISAGREE_MIN:
                continue
            if values[i].keys() & values[j].keys():
                continue  # a number both give: they agree on it
            mine, theirs = _focus(values[i], values[j]), _focus(values[j], values[i])
            if mine and theirs and not _consistent(mine, bounds[i], theirs, bounds[j]):
                # different numbers about the same thing, neither a bound the other meets
                candidates.append((float(sims[i, j]), i, j, mine, theirs))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    # one group per pair of number sets: outlets that give the same numbers join it
    groups: dict[frozenset[tuple[str, ...]], list[tuple[int, list[str]]]] = {}
    shown: set[int] = set()
    for _, i, j, mine, theirs in candidates:
        key = frozenset({tuple(mine), tuple(theirs)})
        if key in groups:
            group = groups[key]
            taken = {units[k].article for k, _ in group}
            group += [(k, v) for k, v in ((i, mine), (j, theirs)) if units[k].article not in taken]
            shown |= {i, j}
        elif len(groups) < MAX_DISAGREEMENTS and not {i, j} <= shown:
            groups[key] = [(i, mine), (j, theirs)]
            shown |= {i, j}
    return [
        Disagreement(
            units[group[0][0]].text,
            {articles[units[k].article].id: units[k].text for k, _ in group},
            {articles[units[k].article].id: v for k, v in group},
        )
        for group in groups.values()
    ]
