"""Round 5's best-subset selection of the story summary (bench/fit_storysum.py): measured
on NeuS train, not adopted (docs/benchmarks.md); these pin its definitions."""

from __future__ import annotations

from collections import Counter

import numpy as np
from bench import fit_storysum

from precis.cluster import storysum
from precis.cluster.storysum import SourceArticle


def test_story_shared_wording_counts_words_two_outlets_use() -> None:
    articles = [
        SourceArticle("a", "The fire killed 12 people in Lyon. Ten trucks came.", "Lyon fire", "A"),
        SourceArticle("b", "A fire killed 12 people in Lyon on Monday.", "Fire in Lyon", "B"),
        # same outlet as "a": its words do not make a word shared
        SourceArticle("c", "Ten trucks came on Monday.", "Trucks", "A"),
    ]
    units = storysum._units(articles)
    outlets = [articles[u.article].outlet for u in units]
    shared = fit_storysum.shared_wording(units, outlets, articles)
    # headlines and sentences count, stop words too; "killed" is stemmed to "kill";
    # the count is the mean use per article, at least 1 ("lyon": 2 + 2 + 0 over 3)
    # ("monday", "on": outlets B and C); "ten", "trucks", "came": outlet A only
    assert shared == {
        "lyon": 1,
        "fire": 1,
        "in": 1,
        "kill": 1,
        "12": 1,
        "people": 1,
        "on": 1,
        "monday": 1,
    }
    one_outlet = [SourceArticle("a", "The fire killed 12 people.", "Fire", "A")]
    one_units = storysum._units(one_outlet)
    assert fit_storysum.shared_wording(one_units, ["A"], one_outlet) == {}


def test_story_best_subset_weighs_redundancy_and_shared_wording() -> None:
    texts = [
        "Fire in Lyon kills 12.",
        "Fire in Lyon kills 12 people.",
        "Trucks came.",
        "Rain fell.",
    ]
    units = [storysum._Unit(k, 0, t) for k, t in enumerate(texts)]
    scores = np.array([1.0, 0.99, 0.5, 0.5])
    sims = np.eye(4)
    sims[0, 1] = sims[1, 0] = 0.9
    nothing: Counter[str] = Counter()
    # no penalty: the two best scores; with one, the near-copy gives way
    assert fit_storysum.best_subset(units, scores, sims, 2, nothing, 0.0, 0.0) == [0, 1]
    assert fit_storysum.best_subset(units, scores, sims, 2, nothing, 1.0, 0.0) == [0, 2]
    # the shared wording breaks the tie between "Trucks came." and "Rain fell."
    shared = Counter({"rain": 1, "fell": 1})
    assert fit_storysum.best_subset(units, scores, sims, 2, shared, 1.0, 1.0) == [0, 3]
    # a count above the sentences gives them all, best score first
    assert fit_storysum.best_subset(units, scores, sims, 9, nothing, 1.0, 0.0) == [0, 1, 2, 3]
