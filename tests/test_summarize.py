"""The summarizer contract: every method, every length request, edge cases, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precis.errors import PrecisError
from precis.models import Summary
from precis.summarize import SUMMARIZERS, Length, summarize, summarize_text
from precis.summarize.base import TARGET_WORDS_PER_SENTENCE, Budget, default_sentences
from precis.summarize.precis import DENSE_CELLS, tfidf
from precis.summarize.vectors import DENSE_GRAPH_LIMIT
from precis.text.sentences import parse
from precis.text.tokens import _TOKEN, STOP_WORDS, stem, terms_of, words
from precis.text.tokens import words as tokens_of

METHODS = sorted(SUMMARIZERS)

ARTICLE = (
    "Council approves larger budget after long debate\n"
    "The city council voted 7-2 on Tuesday to approve a larger budget for the coming year.\n"
    "The mayor called the budget vote historic and thanked the council members.\n"
    "Opponents said property taxes would rise for most households next year. "
    "The budget adds money for parks, libraries and road repairs. "
    "It takes effect in January.\n"
    "Photo: council chamber.\n"
    "A second vote on the transit plan is expected next month. "
    "Residents can comment on the plan online until March."
)

VOCABULARY = (
    "the council vote budget mayor tax rise park road city school fire police "
    "storm flood river bridge train bus court judge trial price market bank"
)
WORDS = st.sampled_from(VOCABULARY.split(" "))
SENTENCE = st.lists(WORDS, min_size=1, max_size=14).map(lambda w: " ".join(w).capitalize() + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=5).map(" ".join)
TEXT = st.lists(PARAGRAPH, min_size=0, max_size=8).map("\n".join)
LENGTHS = st.one_of(
    st.just(Length()),
    st.integers(1, 8).map(lambda n: Length(sentences=n)),
    st.integers(1, 120).map(lambda n: Length(words=n)),
    st.floats(0.05, 1.0).map(lambda r: Length(ratio=r)),
)


def _check_extractive(text: str, summary: Summary) -> None:
    doc = parse(text)
    indexes = [s.index for s in summary.sentences]
    assert indexes == sorted(set(indexes)), "indexes strictly increasing"
    for sentence in summary.sentences:
        span = doc.sentences[sentence.index]
        assert (sentence.start, sentence.end) == (span.start, span.end)
        assert sentence.text == text[sentence.start : sentence.end]


def _words(summary: Summary) -> list[int]:
    return [len(s.text.split()) for s in summary.sentences]


@pytest.mark.parametrize("method", METHODS)
def test_every_method_meets_the_contract(method: str) -> None:
    lines = ARTICLE.split("\n")
    text, title = "\n".join(lines[1:]), lines[0]
    doc = parse(text, title)
    for length in (Length(), Length(sentences=2), Length(words=30), Length(ratio=0.3)):
        summary = summarize(doc, length, method)
        assert summary.method == method
        assert summary.sentences, f"{method} {length.key} chose nothing"
        _check_extractive(text, summary)
        assert summarize(doc, length, method) == summary
    assert len(summarize(doc, Length(sentences=2), method).sentences) == 2
    assert sum(_words(summarize(doc, Length(words=30), method))) <= 30


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, length=LENGTHS, method=st.sampled_from(METHODS))
def test_summary_is_an_ordered_subset_within_the_length(
    text: str, length: Length, method: str
) -> None:
    doc = parse(text)
    summary = summarize(doc, length, method)
    _check_extractive(text, summary)
    count = len(doc.sentences)
    chosen = len(summary.sentences)
    if count == 0:
        assert chosen == 0
        return
    assert chosen >= 1
    budget = length.budget(doc)
    if budget.words is not None:
        sizes = _words(summary)
        assert chosen == 1 or sum(sizes) <= budget.words
    elif budget.target_words is not None:
        assert budget.sentences is not None
        assert chosen <= budget.sentences + (1 if method == "precis" else 0)
    else:
        assert budget.sentences is not None
        assert chosen == min(budget.sentences, count)
    assert summarize(doc, length, method) == summary, "deterministic"


def test_empty_and_blank_documents_give_empty_summaries() -> None:
    for text in ("", "   \n\n  \t"):
        for method in METHODS:
            assert summarize_text(text, method=method).sentences == ()


@pytest.mark.parametrize("method", METHODS)
def test_single_sentence(method: str) -> None:
    text = "The bridge reopened on Monday after two years of repairs."
    summary = summarize_text(text, method=method)
    assert [s.text for s in summary.sentences] == [text]
    assert summarize_text(text, length=Length(words=2), method=method).sentences[0].text == text


@pytest.mark.parametrize("method", METHODS)
def test_identical_sentences_and_no_letters(method: str) -> None:
    same = " ".join(["The river flooded the town."] * 12)
    summary = summarize_text(same, length=Length(sentences=3), method=method)
    _check_extractive(same, summary)
    assert len(summary.sentences) == 3
    digits = "12 34 56. 78 90! ... 1.5 -- 2.5? %% $$ &&."
    _check_extractive(digits, summarize_text(digits, method=method))


@pytest.mark.parametrize("method", METHODS)
def test_five_thousand_sentences_take_the_linear_path(method: str) -> None:
    words = VOCABULARY.split(" ")[1:11]
    sentences = [
        f"The {words[i % 10]} report number {i} mentions {words[(i * 7) % 10]} and "
        f"{words[(i * 3) % 10]} again."
        for i in range(5000)
    ]
    text = "\n".join(" ".join(sentences[i : i + 5]) for i in range(0, 5000, 5))
    doc = parse(text, "Council budget")
    assert len(doc.sentences) == 5000 > DENSE_GRAPH_LIMIT
    summary = summarize(doc, Length(), method)
    _check_extractive(text, summary)
    assert summary.sentences
    # precis switches to scipy sparse rows for this size (no n x n matrix anywhere).
    tokens = [tokens_of(doc.sentence_text(i)) for i in range(len(doc.sentences))]
    vectors, _ = tfidf(tokens, [])
    assert not isinstance(vectors, np.ndarray)
    assert vectors.shape[0] * vectors.shape[1] > DENSE_CELLS


def test_precis_skips_lead_fragments() -> None:
    text = (
        "By . Daily Mail Reporter .\n"
        "PUBLISHED: 10:01 EST, 1 April 2015 .\n"
        "The city council voted on Tuesday to approve a larger budget for the coming year. "
        "The mayor called the vote historic and thanked the members of the council. "
        "Opponents said property taxes would rise for most households next year."
    )
    summary = summarize_text(text, length=Length(sentences=2))
    assert [s.text[:12] for s in summary.sentences] == ["The city cou", "The mayor ca"]


def test_precis_default_length_skips_guest_bylines_and_list_lead_ins() -> None:
    """A blog post opens with "Guest post by ..." and introduces its list with a heading
    ending in a colon: neither says anything on its own."""
    text = (
        "Guest post by Jen Goode of Projects for Preschoolers\n"
        "Make a pretty fall tree that is beautiful window art as well.\n"
        "Using tissue paper and construction paper, this tree craft suits even small hands.\n"
        "Supplies for Tissue Paper Fall Trees and Leaves:\n"
        "Cut the trunk from brown paper and glue the tissue squares on as leaves."
    )
    chosen = [s.text for s in summarize_text(text, length=Length(sentences=3)).sentences]
    assert chosen[0].startswith("Make a pretty fall tree")
    assert not any(s.startswith(("Guest post", "Supplies")) for s in chosen)


def test_precis_default_length_never_picks_a_dateline() -> None:
    text = (
        "By . Daily Mail Reporter . PUBLISHED: . 10:12 EST, 3 April 2013 . | . "
        "UPDATED: . 11:40 EST, 3 April 2013 . A man who stole a police car in Leeds was "
        "caught after he stopped to buy petrol, a court heard on Tuesday. John Smith, 34, "
        "admitted theft and fraud. He was jailed for eight months."
    )
    chosen = [s.text for s in summarize_text(text).sentences]
    assert chosen[0].startswith("A man who stole")
    assert not any("EST" in s or s.startswith(("By", "|")) for s in chosen)


def test_precis_default_length_skips_lines_that_are_not_sentences() -> None:
    """Real pages keep lines that carry no sentence end: the headline again (here with
    its quotes lost), a "Posted on ... |" stamp, a "Labels:" list, a photo caption
    ending in its credit, a site's menu. None of them is a sentence of the story."""
    text = (
        "Rivera Cast as Lead in The Long Night: Part Two\n"
        "Posted on September 3rd, 2012 in Movies |\n"
        "Actor Sam Rivera has been cast as the lead in the sequel, the studio announced on "
        "Thursday after months of rumours.\n"
        "Rivera greets fans outside the premiere in Los Angeles, California (AP Photo)\n"
        "Rivera will play a retired detective who is drawn back into one last case.\n"
        "Filming starts in Vancouver in March and the film opens next winter.\n"
        "Labels: movies, casting news, sequels, Sam Rivera\n"
        "Home > Movies > Casting News > Sequels and Franchises"
    )
    chosen = [
        s.text for s in summarize_text(text, "Rivera Cast as Lead in The Long Night").sentences
    ]
    assert chosen, "the story's sentences are there to choose"
    assert all(s.endswith(".") for s in chosen), chosen
    assert chosen[0].startswith("Actor Sam Rivera")


def test_precis_default_length_without_any_sentence_end_still_summarizes() -> None:
    """A page of headlines only (a link list): the lines are all there is to choose."""
    text = "\n".join(
        f"Council approves budget for the new library in district {n} after long debate"
        for n in range(6)
    )
    assert summarize_text(text).sentences


def test_precis_never_repeats_a_sentence() -> None:
    """A recipe page shows its standfirst twice (above the photo and in the text): the
    summary says it once, whatever the length."""
    lead = "Add ginger, garlic and cumin to the tomatoes, and the slow cooker does the rest."
    text = "\n".join(
        [
            lead,
            lead,
            "The chicken legs brown in a hot pan first, which takes about ten minutes.",
            "Serve the stew over couscous with a spoon of yoghurt and fresh coriander.",
        ]
    )
    for length in (Length(), Length(sentences=3), Length(words=60)):
        chosen = [s.text for s in summarize_text(text, "Spiced chicken", length).sentences]
        assert chosen.count(lead) == 1, (length, chosen)


def test_precis_default_length_follows_the_word_target() -> None:
    long_sentences = " ".join(
        f"Sentence {i} about the council budget has quite a lot of words in it so that "
        f"two of them already pass the target length for a summary of news text here."
        for i in range(10)
    )
    summary = summarize_text(long_sentences)
    assert 1 <= len(summary.sentences) <= 2
    assert Length().budget(parse(long_sentences)).target_words == 3 * TARGET_WORDS_PER_SENTENCE


def test_default_sentences_scale_with_article_length() -> None:
    assert [default_sentences(n) for n in (0, 1, 2, 4, 5, 40)] == [0, 1, 1, 2, 3, 3]
    assert [default_sentences(n) for n in (41, 80, 160)] == [4, 5, 6]
    assert default_sentences(100_000) == 7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sentences": 2, "words": 10}, "only one of"),
        ({"words": 5, "ratio": 0.5}, "only one of"),
        ({"sentences": 0}, "--sentences must be at least 1"),
        ({"words": 0}, "--words must be at least 1"),
        ({"ratio": 0.0}, "--ratio must be greater than 0"),
        ({"ratio": 1.5}, "--ratio must be greater than 0"),
    ],
)
def test_length_validation(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(PrecisError, match=message):
        Length(**kwargs)  # type: ignore[arg-type]


def test_length_keys_and_budgets() -> None:
    doc = parse("One two three four. Five six seven eight. Nine ten eleven twelve.")
    assert Length().key == "auto"
    assert Length(sentences=9).budget(doc) == Budget(sentences=3)
    assert Length(words=5).budget(doc) == Budget(words=5)
    assert Length(ratio=0.5).budget(doc) == Budget(words=6)
    assert Length(ratio=0.25).key == "r0.25"


@given(
    st.lists(st.sampled_from(["the", "ed", "s", "ies", "a", "it's", "said", "votes"]) | st.text())
)
def test_terms_of_is_stemmed_non_stop_words(pieces: list[str]) -> None:
    """The map/filter fast path keeps exactly the words the plain definition keeps."""
    tokens = words(" ".join(pieces))
    assert terms_of(tokens) == [stem(w) for w in tokens if len(w) > 1 and w not in STOP_WORDS]


@given(
    st.text()
    | st.text(alphabet=st.characters(max_codepoint=127))
    | st.text(alphabet=st.sampled_from("aZ1'’_ .\u00e9\u0130"))
)
def test_words_match_the_unicode_pattern(text: str) -> None:
    """The ASCII fast path finds exactly the tokens of the Unicode pattern."""
    assert words(text) == _TOKEN.findall(text.casefold())
