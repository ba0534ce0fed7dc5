"""The summarizer contract, length requests and sentence selection.

A summarizer takes a ``ParsedDocument`` and a ``Budget`` and returns sentence indexes;
``summarize`` turns them into a ``Summary`` in document order with character offsets,
so every summary sentence is a sentence of the article (faithful by construction).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from precis.errors import PrecisError
from precis.models import ParsedDocument, Summary, SummarySentence

# Default length ("auto"): 3 sentences for a typical article; fewer for very short ones,
# a few more (log-scaled) for long ones. Methods that can trade sentences for length also
# get a word target: ROUGE F1 against news highlights (~55 words on CNN/DM) peaks for
# summaries of about that length, so precis stops at the sentence count (one up to one
# more than the nominal count) whose total is closest to TARGET_WORDS_PER_SENTENCE per
# nominal sentence (about 70 words for 3); measured in bench/bench_summaries.py, see docs/benchmarks.md.
DEFAULT_SENTENCES = 3
TARGET_WORDS_PER_SENTENCE = 23
LONG_ARTICLE_SENTENCES = 40
MAX_DEFAULT_SENTENCES = 7


@dataclass(frozen=True, slots=True)
class Length:
    """What the user asked for: at most one of sentences, words or ratio (of the words).

    None of them is the default, ``auto``: about 3 sentences (fewer for articles of at
    most 4 sentences, up to 7 for very long ones; ``default_sentences``), with a word
    target of ``TARGET_WORDS_PER_SENTENCE`` per sentence that precis uses to stop at
    the length closest to it (1 to nominal + 1 sentences; about 70 words for 3).
    """

    sentences: int | None = None
    words: int | None = None
    ratio: float | None = None

    def __post_init__(self) -> None:
        given = [v for v in (self.sentences, self.words, self.ratio) if v is not None]
        if len(given) > 1:
            raise PrecisError("give only one of --sentences, --words or --ratio")
        if self.sentences is not None and self.sentences < 1:
            raise PrecisError("--sentences must be at least 1")
        if self.words is not None and self.words < 1:
            raise PrecisError("--words must be at least 1")
        if self.ratio is not None and not 0 < self.ratio <= 1:
            raise PrecisError("--ratio must be greater than 0 and at most 1")

    @property
    def key(self) -> str:
        """Stable cache key, e.g. ``s3``, ``w100``, ``r0.25`` or ``auto``."""
        if self.sentences is not None:
            return f"s{self.sentences}"
        if self.words is not None:
            return f"w{self.words}"
        if self.ratio is not None:
            return f"r{self.ratio:g}"
        return "auto"

    def budget(self, doc: ParsedDocument) -> Budget:
        count = len(doc.sentences)
        if self.sentences is not None:
            return Budget(sentences=min(self.sentences, count))
        if self.words is not None:
            return Budget(words=self.words)
        if self.ratio is not None:
            total_words = sum(len(doc.sentence_text(i).split()) for i in range(count))
            return Budget(words=max(1, round(total_words * self.ratio)))
        nominal = default_sentences(count)
        return Budget(sentences=nominal, target_words=TARGET_WORDS_PER_SENTENCE * nominal)


def default_sentences(count: int) -> int:
    if count <= 4:
        return max(1, count // 2) if count > 1 else count
    if count <= LONG_ARTICLE_SENTENCES:
        return DEFAULT_SENTENCES
    extra = int(math.log2(count / LONG_ARTICLE_SENTENCES)) + 1
    return min(MAX_DEFAULT_SENTENCES, DEFAULT_SENTENCES + extra)


@dataclass(frozen=True, slots=True)
class Budget:
    """A resolved length: a sentence count, or a word allowance (at least one sentence).

    ``target_words`` (set only for the default length) lets a method that supports it
    stop, anywhere from one sentence up to ``sentences + 1``, where the word total is
    closest to the target; methods that ignore it return ``sentences`` sentences.
    """

    sentences: int | None = None
    words: int | None = None
    target_words: int | None = None

    def admits(self, chosen: int, chosen_words: int, next_words: int) -> bool:
        if self.sentences is not None:
            return chosen < self.sentences
        assert self.words is not None
        return chosen == 0 or chosen_words + next_words <= self.words

    def full(self, chosen: int, chosen_words: int) -> bool:
        if self.sentences is not None:
            return chosen >= self.sentences
        assert self.words is not None
        return chosen_words >= self.words


class Summarizer(Protocol):
    name: str

    def select(self, doc: ParsedDocument, budget: Budget) -> list[int]:
        """Indexes of the chosen sentences (any order; ``summarize`` sorts them)."""
        ...


SummarizerFactory = Callable[[], Summarizer]


def select_by_score(doc: ParsedDocument, scores: Sequence[float], budget: Budget) -> list[int]:
    """Greedy: best-scored sentences first while the budget admits them; ties go to the
    earlier sentence. A sentence too long for a word budget is skipped, not truncated."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    used = 0
    for index in order:
        size = len(doc.sentence_text(index).split())
        if budget.admits(len(chosen), used, size):
            chosen.append(index)
            used += size
        if budget.full(len(chosen), used):
            break
    return chosen


def build_summary(doc: ParsedDocument, method: str, indexes: Sequence[int]) -> Summary:
    sentences = tuple(
        SummarySentence(i, doc.sentences[i].start, doc.sentences[i].end, doc.sentence_text(i))
        for i in sorted(set(indexes))
    )
    return Summary(method, sentences)
