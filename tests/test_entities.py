"""Entities and attributed statements: patterns, offsets, bad input (model loaded once)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precis.entities import Analysis, Analyzer, Statement, load_model
from precis.entities.analyse import chunks
from precis.entities.canonical import Named, acronym, clean, link_surname, link_variant, resolve
from precis.entities.carried import group_statements, similarity
from precis.entities.quotemarks import find_quotes
from precis.errors import ConfigError


def _check_offsets(text: str, analysis: Analysis) -> None:
    for statement in analysis.statements:
        assert text[statement.start : statement.end] == statement.text
    for mention in analysis.mentions:
        assert text[mention.start : mention.end] == mention.surface


def _only(analysis: Analysis, needle: str) -> Statement:
    found = [s for s in analysis.statements if needle in s.text]
    assert len(found) == 1, analysis.statements
    return found[0]


# -- quotation marks (pure) --------------------------------------------------------------
def test_find_quotes_curly_straight_and_trailing_comma() -> None:
    text = '“We will win,” she said. He said: "Not today." Then "yes".'
    found = [text[q.start : q.end] for q in find_quotes(text)]
    assert found == ["We will win", "Not today.", "yes"]


def test_find_quotes_spans_paragraphs_when_next_opens_with_a_mark() -> None:
    text = '"First part.\n\n"Second part," he said.'
    (quote,) = find_quotes(text)
    assert text[quote.start : quote.end] == 'First part.\n\n"Second part'


def test_find_quotes_drops_unbalanced_and_keeps_nested() -> None:
    text = 'A stray " mark here.\n\nShe said: “He told me "no" twice.” Done.'
    found = [text[q.start : q.end] for q in find_quotes(text)]
    assert found == ['He told me "no" twice.']


# -- canonical names (pure) --------------------------------------------------------------
def test_resolve_links_surnames_acronyms_and_aliases() -> None:
    names = [
        Named("Angela Merkel", "person"),
        Named("Merkel", "org"),  # the small model often calls a lone surname an ORG
        Named("European Central Bank", "org"),
        Named("ECB", "org"),
        Named("U.S.", "place"),
        Named("United States", "place"),
    ]
    resolved = [(n.name, n.type) for n in resolve(names)]
    assert resolved == [
        ("Angela Merkel", "person"),
        ("Angela Merkel", "person"),
        ("European Central Bank", "org"),
        ("European Central Bank", "org"),
        ("United States", "place"),
        ("United States", "place"),
    ]


def test_clean_and_helpers() -> None:
    assert clean("the European Union's", "org") == "European Union"
    assert clean("Dr. Ana Ruiz", "person") == "Ana Ruiz"
    assert clean("U.S.", "place") == "U.S."
    assert acronym("Bank of England") == "BE"
    assert link_surname("Merkel", "person", ["Angela Merkel", "Olaf Scholz"]) == "Angela Merkel"
    assert link_surname("Smith", "person", ["Ann Smith", "Bob Smith"]) == "Smith"


# -- attribution patterns (model) --------------------------------------------------------
def test_quote_then_speaker(analyzer: Analyzer) -> None:
    text = '"We will not raise taxes," Chancellor Angela Merkel said on Tuesday.'
    statement = _only(analyzer.analyse(text), "taxes")
    assert (statement.speaker, statement.cue, statement.direct) == ("Angela Merkel", "said", True)
    assert statement.text == "We will not raise taxes"


def test_speaker_colon_quote_and_inverted_said(analyzer: Analyzer) -> None:
    text = (
        'Union leader Victor Lam said: "This is the third round of cuts."\n\n'
        '"We regret it," said Helena Marsh, the chief executive.'
    )
    analysis = analyzer.analyse(text)
    assert _only(analysis, "third round").speaker == "Victor Lam"
    assert _only(analysis, "regret").speaker == "Helena Marsh"
    _check_offsets(text, analysis)


def test_reported_speech_forms(analyzer: Analyzer) -> None:
    text = (
        "Governor Rafael Duarte said that inflation was falling. "
        "He warned that cutting rates early would be a mistake. "
        "According to the Central Bank of Meridia, growth slowed. "
        "Prices will rise next year, the governor said."
    )
    analysis = analyzer.analyse(text)
    assert _only(analysis, "inflation").text == "inflation was falling"
    warned = _only(analysis, "cutting rates")
    assert (warned.speaker, warned.cue, warned.direct) == ("Rafael Duarte", "warned", False)
    assert _only(analysis, "growth slowed").speaker == "Central Bank of Meridia"
    assert _only(analysis, "Prices will rise").speaker == "Rafael Duarte"  # the governor
    _check_offsets(text, analysis)


def test_negated_and_question_reports_are_not_statements(analyzer: Analyzer) -> None:
    text = (
        "Ben Okafor did not say that the plan was dead. "
        "Nobody would say whether beds had been closed."
    )
    assert analyzer.analyse(text).statements == ()


def test_quote_runs_continue_the_speaker_and_span_paragraphs(analyzer: Analyzer) -> None:
    text = (
        '"It was a choice," said Julia Brandt, a researcher. "I told them in March.\n\n'
        "\"They told me it was 'low priority'.\""
    )
    analysis = analyzer.analyse(text)
    carried = _only(analysis, "March")
    assert carried.speaker == "Julia Brandt"
    assert carried.cue is None
    assert "low priority" in carried.text
    _check_offsets(text, analysis)


def test_partial_quote_stays_a_paraphrase(analyzer: Analyzer) -> None:
    text = 'A spokesperson for the ministry said the plan was "dead on arrival".'
    statement = _only(analyzer.analyse(text), "dead")
    assert statement.direct is False
    assert statement.speaker == "A spokesperson for the ministry"


# -- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "   \n\n ", "no names here, only words.", "!!!???"])
def test_texts_without_entities(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyse(text)
    assert analysis.mentions == () or all(m.surface for m in analysis.mentions)
    _check_offsets(text, analysis)


def test_thousands_of_quotes(analyzer: Analyzer) -> None:
    text = " ".join(f'"Number {i} is fine," Ann Lee said.' for i in range(2000))
    analysis = analyzer.analyse(text)
    assert len(analysis.statements) == 2000
    assert {s.speaker for s in analysis.statements} == {"Ann Lee"}
    _check_offsets(text, analysis)


def test_unbalanced_quotation_marks(analyzer: Analyzer) -> None:
    text = (
        'He said " and then nothing.\n\n“Half open, she said.\n\n'
        'Closing only” here. "Real quote," Ann Lee said. ”'
    )
    analysis = analyzer.analyse(text)
    _check_offsets(text, analysis)
    assert any(s.text == "Real quote" and s.speaker == "Ann Lee" for s in analysis.statements)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            [
                '"',
                "“",
                "”",
                "'",
                " said ",
                "Ann Lee",
                " the minister ",
                ", ",
                ". ",
                "\n\n",
                "according to Bob Ray",
                " that ",
                "prices rose",
                "U.S.",
                " she ",
            ]
        ),
        max_size=30,
    )
)
def test_offsets_hold_on_arbitrary_text(analyzer: Analyzer, parts: list[str]) -> None:
    text = "".join(parts)
    _check_offsets(text, analyzer.analyse(text))


def test_long_texts_are_chunked_at_paragraphs() -> None:
    text = "\n\n".join(f"Paragraph {i} " + "word " * 50 for i in range(100))
    pieces = chunks(text, limit=2_000)
    assert len(pieces) > 1
    assert all(len(piece) <= 2_000 for _, piece in pieces)
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)


def test_analyse_many_keeps_order_and_empty_texts(analyzer: Analyzer) -> None:
    texts = ['"Yes," Ann Lee said.', "", "Bob Ray said that it rained."]
    results = list(analyzer.analyse_many(texts))
    assert [len(r.statements) for r in results] == [1, 0, 1]


def test_unknown_model_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="PRECIS_SPACY_MODEL"):
        load_model("no_such_model_package")


# -- across outlets (pure) -------------------------------------------------------------
def _statement(speaker: str, text: str, direct: bool = True) -> Statement:
    return Statement(speaker, "person", "said", text, 0, len(text), direct)


def test_group_statements_across_outlets() -> None:
    full = "We will not raise taxes this year or next year"
    items = [
        (1, "Herald", _statement("Angela Merkel", full)),
        (2, "Courier", _statement("Angela Merkel", "We will not raise taxes this year")),
        (3, "Post", _statement("Angela Merkel", "taxes would not rise this year", False)),
        (3, "Post", _statement("Olaf Scholz", full)),
        (4, "Times", _statement("Angela Merkel", "The weather is nice")),
    ]
    (group,) = group_statements(items)
    assert group.text == full
    relations = {v.article_id: v.relation for v in group.versions}
    assert relations == {1: "verbatim", 2: "trimmed", 3: "paraphrased"}
    assert group.as_json()["outlets"] == 3
    assert similarity("", full) == 0.0


# -- real-use defects (whoqa) --------------------------------------------------------------
def test_relative_pronoun_speaker_is_its_antecedent(analyzer: Analyzer) -> None:
    text = (
        "Reporters crowded around Senator Mara Quill, who replied that the vote would wait. "
        "The plan has angered union members, who say it breaks a promise."
    )
    analysis = analyzer.analyse(text)
    assert _only(analysis, "vote would wait").speaker == "Mara Quill"
    assert _only(analysis, "breaks a promise").speaker == "union members"


def test_first_person_reported_speech_is_not_attributed(analyzer: Analyzer) -> None:
    # An unclosed quote (leads cut by the outlet) leaves "I said" outside any quote pair.
    text = (
        "“The council is moving fast,” said Mayor Ilse Varga. “For months, I have said we need "
        "a budget before winter and I told them that nothing else matters"
    )
    analysis = analyzer.analyse(text)
    assert all(s.speaker not in {"I", "we", "We"} for s in analysis.statements), analysis.statements


def test_disease_names_and_photo_credits_are_not_entities(analyzer: Analyzer) -> None:
    text = (
        "COVID-19 cases rose again in Ohio, where Governor Tom Brell said Covid was spreading. "
        "Hospitals reported more COVID patients.\n"
        "Photo: Ann Lee/AFP/Getty Images\n"
        "Brell spoke in Columbus on Monday."
    )
    names = {name for name, _kind, _spans in analyzer.analyse(text).entities()}
    assert not {n for n in names if "covid" in n.lower() or "/" in n}, names
    assert "Tom Brell" in names


def test_link_surname_prefers_a_dominant_full_name() -> None:
    known = {"Joe Biden": 400, "Jill Biden": 4, "Hunter Biden": 3}
    assert link_surname("Biden", "person", known) == "Joe Biden"
    close = {"Anna Holm": 10, "Erik Holm": 8}
    assert link_surname("Holm", "person", close) == "Holm"
    # A middle initial is the same person: "Donald J. Trump" and "Donald Trump".
    assert link_surname("Trump", "person", {"Donald Trump": 50, "Donald J. Trump": 6}) in {
        "Donald Trump"
    }
    assert link_surname("Holm", "person", ["Anna Holm"]) == "Anna Holm"
    assert link_surname("Holm", "person", {"Anna Holm": 0, "Erik Holm": 0}) == "Holm"
    assert link_variant("Donald J. Trump", "person", ["Donald Trump", "Ivanka Trump"]) == (
        "Donald Trump"
    )
    assert link_variant("Anna Maria Holm", "person", ["Erik Holm"]) == "Anna Maria Holm"
