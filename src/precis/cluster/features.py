"""What story assignment compares: terms, title terms, named-entity phrases, numbers.

Hand-written because the features are cheap regular-expression passes tuned to news
(capitalised phrases stand in for named entities; numbers and dates are kept verbatim),
and the whole point is that they are computed once per article and stored, so later
comparisons never re-read the text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from precis.text.tokens import STOP_WORDS, content_terms, words

# A capitalised word (letters, apostrophes, inner dots as in "U.S.") — entity heuristic.
_CAP_WORD = re.compile(r"\b[A-Z][\w'’.&-]*[\w]|\b[A-Z]\b")
_TOKEN = re.compile(r"\S+")
# Digits with optional separators: "3.5", "1,200", "2026"; spelled-out numbers are skipped.
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
_POSSESSIVE = re.compile(r"['’]s$")
_SENTENCE_END = re.compile(r"[.!?:;\"“”'‘’()\[\]]$")
# Terms kept per article for the index and for scoring: the most distinctive ones are
# what separates one event from another; the long tail adds noise and storage.
MAX_TERMS = 60


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """One article as the clusterer sees it (plain data, no database id semantics)."""

    id: str
    text: str
    title: str = ""
    source: str | None = None
    published: datetime | None = None
    url: str | None = None  # with ``source``, names the site (``precis.text.templates``)


@dataclass(frozen=True, slots=True)
class Features:
    """Counts of content terms (title counted twice), title terms, entities, numbers."""

    terms: dict[str, int]
    title: frozenset[str]
    entities: frozenset[str]
    numbers: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.terms and not self.entities


TITLE_BOOST = 2  # title words are counted this many times: headlines name the event


def features(title: str, text: str) -> Features:
    counts: Counter[str] = Counter(content_terms(text))
    title_terms = content_terms(title)
    for term in title_terms:
        counts[term] += TITLE_BOOST
    return Features(
        terms=dict(counts),
        title=frozenset(title_terms),
        entities=frozenset(entities(title + "\n" + text)),
        numbers=frozenset(numbers(title + "\n" + text)),
    )


def entities(text: str) -> set[str]:
    """Capitalised phrases not at a sentence start, lower-cased: "John Kerry", "iran"."""
    found: set[str] = set()
    for line in text.splitlines():
        tokens = _TOKEN.findall(line)
        phrase: list[str] = []
        for position, token in enumerate(tokens):
            word = _POSSESSIVE.sub("", token.strip("\"“”'‘’()[],.;:!?"))
            starts = position == 0 or bool(_SENTENCE_END.search(tokens[position - 1]))
            capital = bool(word) and word[0].isupper() and word.casefold() not in STOP_WORDS
            if capital and not (starts and not phrase and _common(word)):
                phrase.append(word)
                if word != token.rstrip('"”’)],.;:!?') or token[-1:] in ',.;:!?"”’)]':
                    _flush(phrase, found)
            else:
                _flush(phrase, found)
        _flush(phrase, found)
    return found


def _common(word: str) -> bool:
    """Sentence-initial capitals are only entities when not ordinary words; without a
    lexicon, treat short sentence starters as ordinary."""
    return len(word) <= 3 or word.casefold() in STOP_WORDS


def _flush(phrase: list[str], found: set[str]) -> None:
    if phrase:
        found.add(" ".join(phrase).casefold())
        if len(phrase) > 1:
            found.add(phrase[-1].casefold())  # "John Kerry" also matches a later "Kerry"
        phrase.clear()


def numbers(text: str) -> set[str]:
    return {m.group(0).replace(",", "") for m in _NUMBER.finditer(text)}


def word_count(text: str) -> int:
    return len(words(text))
