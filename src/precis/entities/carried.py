"""One statement carried by several outlets: group the statements of a story's articles.

Hand-written because it is a small, explainable comparison: two statements are the same
claim when the speaker is the same (after normalising names) and their word sets overlap
enough (the share of the shorter statement's content words found in the longer one).
Each outlet's version is then labelled "verbatim" (same words), "trimmed" (a direct quote
shortened, every word of it in the fuller version) or "paraphrased" (anything else,
including a direct quote reported as indirect speech).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from precis.entities.canonical import normalise_speaker
from precis.entities.model import Statement
from precis.text.tokens import words

# Share of the shorter statement's content words that must appear in the longer one.
# 0.6 keeps paraphrases that reuse the key words ("rates will stay high for longer" /
# "rates would stay high for a longer period") and separates different claims.
SAME_CLAIM = 0.6
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "will",
        "would",
        "that",
        "this",
        "it",
        "its",
        "we",
        "our",
        "they",
        "their",
        "he",
        "she",
        "his",
        "her",
        "i",
        "you",
        "not",
    ]
)

Relation = Literal["verbatim", "trimmed", "paraphrased"]


@dataclass(frozen=True, slots=True)
class Carried:
    """One outlet's version of a shared statement."""

    article_id: int
    source: str | None
    statement: Statement
    relation: Relation


@dataclass(frozen=True, slots=True)
class SharedStatement:
    speaker: str
    text: str  # the fullest version (longest direct quote, else longest paraphrase)
    versions: tuple[Carried, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "text": self.text,
            "outlets": len({v.source or v.article_id for v in self.versions}),
            "versions": [
                {
                    "article_id": v.article_id,
                    "source": v.source,
                    "text": v.statement.text,
                    "direct": v.statement.direct,
                    "relation": v.relation,
                    "start": v.statement.start,
                    "end": v.statement.end,
                }
                for v in self.versions
            ],
        }


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in _FUNCTION_WORDS]


def similarity(a: str, b: str) -> float:
    """Share of the shorter text's content words found in the longer one."""
    words_a, words_b = set(content_words(a)), set(content_words(b))
    if not words_a or not words_b:
        return 0.0
    return len(words_a & words_b) / min(len(words_a), len(words_b))


def group_statements(
    items: Sequence[tuple[int, str | None, Statement]], *, threshold: float = SAME_CLAIM
) -> list[SharedStatement]:
    """Statements (article id, source, statement) carried by two or more articles.

    Greedy single pass in input order: each statement joins the first group with the same
    speaker whose fullest version it matches, else starts a group. Groups from one
    article only are dropped. Deterministic for a given order.
    """
    groups: list[list[tuple[int, str | None, Statement]]] = []
    for item in items:
        speaker = item[2].speaker
        if speaker is None:
            continue
        for group in groups:
            head = _fullest(group)
            if normalise_speaker(head.speaker or "") == normalise_speaker(speaker) and (
                similarity(head.text, item[2].text) >= threshold
            ):
                group.append(item)
                break
        else:
            groups.append([item])
    shared = []
    for group in groups:
        if len({article for article, _, _ in group}) < 2:
            continue
        fullest = _fullest(group)
        versions = tuple(
            Carried(article, source, statement, relation(fullest, statement))
            for article, source, statement in group
        )
        shared.append(SharedStatement(fullest.speaker or "", fullest.text, versions))
    return shared


def _fullest(group: list[tuple[int, str | None, Statement]]) -> Statement:
    return max((s for _, _, s in group), key=lambda s: (s.direct, len(s.text)))


def relation(fullest: Statement, version: Statement) -> Relation:
    a, b = content_words(fullest.text), content_words(version.text)
    if a == b and version.direct == fullest.direct:
        return "verbatim"
    if version.direct and fullest.direct and _contiguous_in(b, a):
        return "trimmed"
    return "paraphrased"


def _contiguous_in(short: list[str], long: list[str]) -> bool:
    n = len(short)
    return n > 0 and any(long[i : i + n] == short for i in range(len(long) - n + 1))
