"""Story summaries as a reader sees them: defects found on real multi-outlet roundups
(docs/benchmarks.md, "Story summaries on real roundups"), each with a hand-written case."""

from __future__ import annotations

import json

from precis.cluster.storysum import MAX_DISAGREEMENTS, SourceArticle, summarize_story
from precis.summarize import Length, summarize_text


def _pair(a: str, b: str) -> list[SourceArticle]:
    return [SourceArticle("a", a, source="Herald"), SourceArticle("b", b, source="Ledger")]


def test_a_number_inside_a_name_is_not_a_disputed_value() -> None:
    # "COVID-19", "G-7", "F-35" name things; they are not counts to compare with "65"
    result = summarize_story(
        _pair(
            "Regulators on Wednesday authorized Pfizer booster shots for people over 65.",
            "Regulators on Wednesday authorized Pfizer booster shots against COVID-19 "
            "for older people.",
        )
    )
    assert result.disagreements == ()


def test_different_numbers_about_different_things_are_not_a_disagreement() -> None:
    # both sentences are about the board's ruling; the dates are of different events
    result = summarize_story(
        _pair(
            "The poll, fielded April 12 to 18, came before the oversight board upheld "
            "the suspension of the account.",
            "The oversight board upheld the suspension of the account after the riot of Jan. 6.",
        )
    )
    assert result.disagreements == ()


def test_the_same_count_given_differently_is_still_a_disagreement() -> None:
    result = summarize_story(
        _pair(
            "The storm destroyed 40 homes along the coast, officials said on Sunday.",
            "Officials said on Sunday that the storm destroyed thirty homes along the coast.",
        )
    )
    assert [d.values for d in result.disagreements] == [{"a": ["40"], "b": ["30"]}]


def test_the_same_count_spelled_out_and_in_digits_agrees() -> None:
    result = summarize_story(
        _pair(
            "The storm destroyed 12 homes along the coast, officials said on Sunday.",
            "Officials said on Sunday that the storm destroyed twelve homes along the coast.",
        )
    )
    assert result.disagreements == ()


def test_a_count_after_a_small_word_is_still_compared() -> None:
    result = summarize_story(
        _pair(
            "New jobless claims fell to 444,000 last week, the Labor Department said.",
            "The Labor Department said new jobless claims fell to 473,000 last week.",
        )
    )
    assert [d.values for d in result.disagreements] == [{"a": ["444000"], "b": ["473000"]}]


def test_cli_summary_shows_each_disagreement_with_its_numbers(precis: object) -> None:
    run = precis  # type: ignore[assignment]
    for name, text in [
        ("herald", "The storm destroyed 40 homes along the coast, officials said on Sunday."),
        ("ledger", "Officials said on Sunday that the storm destroyed thirty homes on the coast."),
    ]:
        line = json.dumps({"title": "Storm hits coast", "text": text, "source": name.title()})
        assert run("add", "-", input=line + "\n").exit_code == 0  # type: ignore[operator]
    story = json.loads(run("stories", "--format", "json").output)[0]["id"]  # type: ignore[operator]
    shown = run("story", str(story), "--summary").output  # type: ignore[operator]
    section = shown.split("Sources disagree:")[1]
    assert "40 (#1) vs 30 (#2)" in section or "30 (#2) vs 40 (#1)" in section


def test_common_ground_cites_a_sentence_for_one_point_only() -> None:
    # b's sentence and d's sentence each match a's; listing both repeats a's point
    articles = [
        SourceArticle(
            "a",
            "Pelosi will announce whether she will create a committee on the riot this week. "
            "The weather was fine.",
            "Pelosi to announce riot committee",
            "A",
        ),
        SourceArticle(
            "b",
            "Markets fell on Tuesday as oil rose and bond yields climbed in thin trading. "
            "Pelosi, speaking after markets closed, told members she plans to announce whether "
            "she will create a committee this week and named Hammill to steer it, while oil "
            "traders, bond dealers and bankers waited.",
            "Markets fall",
            "B",
        ),
        SourceArticle(
            "c",
            "Hammill will steer the riot committee, aides said. Rain is expected.",
            "Hammill to steer riot committee",
            "C",
        ),
        SourceArticle(
            "d",
            "The riot committee is Pelosi's answer to the riot. Hammill and Pelosi spoke.",
            "Pelosi riot committee",
            "D",
        ),
    ]
    result = summarize_story(articles)
    assert result.common
    cited = [(source, quote) for p in result.common for source, quote in p.quotes.items()]
    assert len(cited) == len(set(cited))


FEED_LEADS = [
    SourceArticle(
        "a",
        "The council approved the new stadium on Tuesday after a long debate. "
        "The vote was seven to two. Opponents said the cost would fall on...",
        "Council approves stadium",
        "Herald",
    ),
    SourceArticle(
        "b",
        "The city council approved a new stadium on Tuesday. "
        "Building starts next spring near the river. The mayor's office has asked all...",
        "Stadium approved",
        "Ledger",
    ),
]


def test_a_sentence_cut_off_by_the_feed_is_not_a_point() -> None:
    # feeds and roundups end a lead mid-sentence ("...has asked all..."): not a claim
    result = summarize_story(FEED_LEADS, Length(sentences=4))
    points = [*result.overview, *result.common]
    points += [p for ps in result.only_here.values() for p in ps]
    assert points
    assert not [p.text for p in points if p.text.endswith("...")]


def test_only_here_leaves_out_what_another_source_says_in_a_longer_sentence() -> None:
    articles = [
        SourceArticle(
            "a",
            "Former secretary of state Colin Powell has died at age 84 of Covid complications, "
            "his family said on Monday. He served under two presidents.",
            "Colin Powell dies",
            "Herald",
        ),
        SourceArticle(
            "b",
            "Colin Powell, the first Black secretary of state, died on Monday. He was 84. "
            "His family thanked the hospital staff.",
            "Powell dead",
            "Ledger",
        ),
    ]
    result = summarize_story(articles)
    assert "He was 84." not in [p.text for p in result.only_here.get("Ledger", ())]
    assert "His family thanked the hospital staff." in [p.text for p in result.only_here["Ledger"]]


def test_a_bound_that_the_other_count_meets_is_no_disagreement() -> None:
    result = summarize_story(
        _pair(
            "Jobless claims dropped below 300,000 last week, the Labor Department said.",
            "Jobless claims dropped to 293,000 last week, the Labor Department said.",
        )
    )
    assert result.disagreements == ()


def test_a_bound_that_the_other_count_breaks_is_a_disagreement() -> None:
    result = summarize_story(
        _pair(
            "Jobless claims dropped below 300,000 last week, the Labor Department said.",
            "Jobless claims dropped to 310,000 last week, the Labor Department said.",
        )
    )
    assert [d.values for d in result.disagreements] == [{"a": ["300000"], "b": ["310000"]}]


LONG_READ = (
    "Mondale Robinson spent last fall in clubs and bars in Georgia, urging young Black men "
    "to vote in the Senate runoffs. He told them a ballot could bring real change. "
    "Many of them voted for the first time. "
    "But Robinson, founder of a voter project, thinks the case would be harder to make now. "
    "Polls show frustration with the president at a high."
)


def test_a_one_article_story_is_summarized_like_the_article() -> None:
    # nothing to compare it with: the article's own summary, and no "only in" list
    result = summarize_story([SourceArticle("a", LONG_READ, "Behind the falling polls", "Post")])
    expected = summarize_text(LONG_READ, "Behind the falling polls")
    assert [p.text for p in result.overview] == [s.text for s in expected.sentences]
    assert all(p.sources == ("a",) for p in result.overview)
    assert result.only_here == {}


def test_one_outlet_has_no_only_here_list() -> None:
    articles = [
        SourceArticle("a", LONG_READ, "Behind the falling polls", "Post"),
        SourceArticle("b", "Robinson said young voters feel ignored. He plans a tour.", "", "Post"),
    ]
    assert summarize_story(articles).only_here == {}


def test_a_cut_off_after_a_percent_sign_is_cut_off() -> None:
    articles = [
        SourceArticle(
            "a",
            "Support for the mayor fell in July. Now the mayor has 41.2%...",
            "Mayor slips",
            "Herald",
        ),
        SourceArticle("b", "The mayor's approval fell over the summer.", "Mayor slips", "Ledger"),
    ]
    result = summarize_story(articles, Length(sentences=3))
    assert "Now the mayor has 41.2%..." not in [p.text for p in result.overview]


def test_many_sources_with_different_counts_give_a_short_list_that_names_each_once() -> None:
    # five outlets, five tolls: ten pairwise disagreements would bury the reader
    articles = [
        SourceArticle(f"a{n}", f"The fire at the depot killed {n} people on Monday.", "", f"S{n}")
        for n in range(10, 15)
    ]
    result = summarize_story(articles)
    assert len(result.disagreements) <= 4
    named = {a for d in result.disagreements for a in d.claims}
    assert named == {a.id for a in articles}


def test_disagreements_stop_at_a_readable_number() -> None:
    towns = ["Ayr", "Bray", "Cobh", "Deal", "Ely", "Fife", "Goole", "Hove", "Ince", "Jarrow"]
    articles = [
        SourceArticle(
            f"a{n}",
            f"The fire at the depot killed {n + 10} people on Monday. Rain fell in {town}.",
            "",
            f"S{n}",
        )
        for n, town in enumerate(towns * 2)
    ]
    assert len(summarize_story(articles).disagreements) == MAX_DISAGREEMENTS


def test_outlets_giving_the_same_number_share_one_disagreement() -> None:
    articles = [
        SourceArticle("a", "The fire at the depot killed 12 people on Monday.", "", "A"),
        SourceArticle(
            "b", "The fire at the depot killed 12 people on Monday, police said.", "", "B"
        ),
        SourceArticle("c", "The fire at the depot killed 14 people on Monday.", "", "C"),
        SourceArticle("d", "Rain fell in the town.", "", "D"),
    ]
    result = summarize_story(articles)
    assert len(result.disagreements) == 1
    assert result.disagreements[0].values == {"a": ["12"], "b": ["12"], "c": ["14"]}


def test_cli_groups_the_outlets_that_give_the_same_number(precis: object) -> None:
    run = precis  # type: ignore[assignment]
    for name, text in [
        ("herald", "The storm destroyed 40 homes along the coast, officials said on Sunday."),
        ("ledger", "Officials said on Sunday that the storm destroyed 40 homes near the coast."),
        ("post", "The storm destroyed thirty homes along the coast on Sunday, officials said."),
    ]:
        line = json.dumps({"title": "Storm hits coast", "text": text, "source": name.title()})
        assert run("add", "-", input=line + "\n").exit_code == 0  # type: ignore[operator]
    stories = json.loads(run("stories", "--format", "json").output)  # type: ignore[operator]
    shown = run("story", str(stories[0]["id"]), "--summary").output  # type: ignore[operator]
    assert "40 (#1, #2) vs 30 (#3)" in shown
