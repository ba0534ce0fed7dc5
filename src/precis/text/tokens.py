"""Word tokens for similarity: lower-cased, stop words removed, lightly stemmed.

The stemmer is a small suffix stripper (plural, -ing, -ed, -ly): enough to match
"vote/votes/voted" across sentences, and much faster than a full Porter stemmer on the
hot path of every summary. Quality is measured in bench/, not assumed.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# The same pattern for case-folded ASCII text, where ``[^\W_]`` is exactly ``[a-z0-9]``
# and ``’`` cannot occur: a plain character set scans faster than the Unicode
# category test, and most news sentences are ASCII (a hypothesis test pins
# ``words`` to ``_TOKEN``).
_ASCII_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_ASCII_WORD = re.compile(r"[a-z0-9]+")  # the same for ASCII text without apostrophes

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "said",
        "says",
        "say",
        "told",
        "according",
        "mr",
        "mrs",
        "ms",
        "dr",
        "one",
        "two",
        "new",
        "also",
        "would",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "s",
        "t",
        "don't",
        "didn't",
        "won't",
        "can't",
        "it's",
        "he's",
        "she's",
        "i'm",
        "we're",
        "they're",
        "that's",
        "there's",
        "who's",
        "what's",
        "let's",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "hasn't",
        "haven't",
        "hadn't",
        "doesn't",
    ]
)


def words(text: str) -> list[str]:
    """All word tokens of ``text``, lower-cased."""
    folded = text.casefold()
    if folded.isascii():
        return (_ASCII_TOKEN if "'" in folded else _ASCII_WORD).findall(folded)
    return _TOKEN.findall(folded)


def content_terms(text: str) -> list[str]:
    """Stemmed tokens without stop words or single characters: the terms compared."""
    return terms_of(words(text))


def terms_of(tokens: list[str]) -> list[str]:
    """``content_terms`` of already tokenised (lower-cased) words."""
    # map/filter over a cached function keep the per-token work in C, which measured
    # faster than a comprehension testing length and stop words, then calling stem().
    return list(filter(None, map(content_term, tokens)))


@lru_cache(maxsize=65536)
def content_term(word: str) -> str:
    """The stemmed term of a lower-cased word, or "" for a stop word or single character."""
    return stem(word) if len(word) > 1 and word not in STOP_WORDS else ""


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip one common English inflection; never below three characters."""
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) + len(replacement) >= 3:
            return word[: len(word) - len(suffix)] + replacement
    return word


_SUFFIXES = (
    ("ies", "y"),
    ("sses", "ss"),
    ("ing", ""),
    ("edly", ""),
    ("ed", ""),
    ("ly", ""),
    ("'s", ""),
    ("’s", ""),
    ("es", ""),
    ("s", ""),
)
