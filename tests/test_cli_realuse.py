"""What a real-use pass over the command line found (cliqa): each test is one defect seen
on a store of the samples, Dragnet pages and AllSides roundups, now fixed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click

from conftest import ROOT, Precis
from precis.cli.output import fit, wrap, wrap_snippet
from test_cli import ARTICLE, ok, one_line_error


def _add_two(precis: Precis, tmp_path: Path) -> None:
    lines = [
        {"title": "Budget passes", "text": "The council passed the budget on Tuesday.",
         "source": "Gazette", "published": "2026-10-14"},
        {"title": "Bridge reopens", "text": "The bridge reopened to traffic on Monday.",
         "source": "Times", "published": "2026-10-20"},
    ]  # fmt: skip
    path = tmp_path / "two.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    ok(precis("add", str(path)))


def test_ls_with_no_match_does_not_claim_the_store_is_empty(precis: Precis, tmp_path: Path) -> None:
    assert "no articles stored yet" in ok(precis("ls")).stderr
    _add_two(precis, tmp_path)
    for args in (["--source", "Nobody"], ["--since", "2030-01-01"], ["--offset", "5"]):
        result = ok(precis("ls", *args))
        assert result.stdout == ""
        assert "no articles stored yet" not in result.stderr
        assert "no articles match" in result.stderr


def test_rm_goes_on_past_an_unknown_id(precis: Precis, tmp_path: Path) -> None:
    _add_two(precis, tmp_path)
    result = precis("rm", "1", "99", "2")
    one_line_error(result, "no article with id 99")
    assert "deleted #1" in result.stdout
    assert "deleted #2" in result.stdout
    assert json.loads(ok(precis("ls", "--format", "json")).stdout) == []


def test_reextract_of_an_unknown_id_fails_before_doing_anything(
    precis: Precis, tmp_path: Path
) -> None:
    _add_two(precis, tmp_path)
    one_line_error(precis("reextract", "1", "99"), "no article with id 99")
    assert "1 unchanged" not in precis("reextract", "1", "99").output
    assert "0 changed, 2 unchanged, 0 failed" in ok(precis("reextract", "1", "2")).stdout


def test_story_summary_reports_a_bad_line_and_goes_on(precis: Precis, tmp_path: Path) -> None:
    story = {
        "id": 7,
        "articles": [
            {"id": 1, "text": "The mayor said taxes rise 5 per cent. Opponents objected."},
            {"id": 2, "text": "Taxes rise 5 per cent, the mayor said on Monday."},
        ],
    }
    path = tmp_path / "stories.jsonl"
    path.write_text("not json\n" + json.dumps({"id": 3, "articles": "x"}) + "\n"
                    + json.dumps(story) + "\n")  # fmt: skip
    result = precis("story-summary", "--jsonl", str(path))
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == [None, 3, 7]
    assert "error" in lines[0]
    assert "error" in lines[1]
    assert lines[2]["summary"]
    assert [line for line in result.stderr.splitlines() if line.startswith("error: ")] == [
        line for line in result.stderr.splitlines() if line
    ]
    assert f"{path}:1:" in result.stderr
    assert f"{path}:2:" in result.stderr


def test_cluster_gives_ids_back_as_they_came(precis: Precis, tmp_path: Path) -> None:
    text = "The council passed the budget on Tuesday after a long debate about taxes."
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"id": 10, "text": text}) + "\n" + json.dumps({"id": "b", "text": text}) + "\n"
    )
    out = [json.loads(line) for line in ok(precis("cluster", "--jsonl", str(path))).stdout.split("\n") if line]  # fmt: skip
    assert out[0] == {"id": 10, "story": 10, "duplicate_of": None}
    assert out[1] == {"id": "b", "story": 10, "duplicate_of": 10}


def test_fetch_counts_in_words_and_says_when_there_are_no_feeds(precis: Precis) -> None:
    assert "no feeds yet" in ok(precis("fetch")).stderr
    ok(precis("feed", "add", "https://news.invalid/feed.xml"))
    result = precis("fetch")
    assert result.exit_code == 1
    assert "1 feed polled, 0 articles added, 1 feed failed" in result.stdout


def test_import_says_the_rest_were_stored_only_when_some_were(
    precis: Precis, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    ok(precis("add", str(tmp_path / "a.txt")))
    export = tmp_path / "out.jsonl"
    ok(precis("export", "-o", str(export)))
    other = Precis(f"sqlite:///{tmp_path / 'other.db'}")
    first = ok(other("import", str(export))).stderr
    assert "1 of 1 article" in first
    assert "already stored" not in first
    assert "already stored" in ok(other("import", str(export))).stderr


def test_invalid_json_messages_read_well(precis: Precis, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "unterminated\n')
    for args in (["add", str(path)], ["summarize", "--jsonl", str(path)], ["import", str(path)]):
        result = precis(*args)
        assert result.exit_code == 1
        assert "at at" not in result.output
        assert "invalid JSON at column 10: unterminated string" in result.stderr, result.stderr


def test_info_lists_the_biggest_sources_and_counts_the_rest(precis: Precis, tmp_path: Path) -> None:
    lines = [{"title": f"T{i}", "text": f"Story number {i} is here.", "source": f"Outlet {i}"}
             for i in range(15)]  # fmt: skip
    (tmp_path / "many.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    ok(precis("add", str(tmp_path / "many.jsonl")))
    text = ok(precis("info")).stdout
    assert sum("Outlet" in line for line in text.splitlines()) == 10
    assert "5 more sources" in text
    assert len(json.loads(ok(precis("info", "--format", "json")).stdout)["sources"]) == 15


def test_story_help_shows_how_to_read_a_story(precis: Precis) -> None:
    text = ok(precis("story", "--help")).stdout
    assert "precis story ID" in text
    assert "--summary" in text
    ls_help = ok(precis("ls", "--help")).stdout
    assert "-n, --limit" in ls_help
    assert "Show at most" in ls_help


def test_lines_fit_a_terminal_only_when_there_is_one() -> None:
    line = "    12  2026-10-14  Gazette               " + "A very long headline " * 6
    assert fit(line, 80) == line[:79] + "…"
    assert len(fit(line, 80)) == 80
    assert fit(line, None) == line
    assert fit("short", 80) == "short"


def test_ls_keeps_whole_titles_when_piped(precis: Precis, tmp_path: Path) -> None:
    title = "A very long headline " * 6
    (tmp_path / "long.jsonl").write_text(json.dumps({"title": title, "text": "Body text."}) + "\n")
    ok(precis("add", str(tmp_path / "long.jsonl")))
    assert title.strip() in ok(precis("ls")).stdout


def test_search_snippets_wrap_under_the_title_on_a_terminal() -> None:
    parts = [("The ", False), ("Supreme", True), (" Court ruled " + "on the case " * 12, False)]
    lines = wrap_snippet(parts, 80).split("\n")
    assert len(lines) > 1
    assert all(len(click.unstyle(line)) <= 80 for line in lines)
    assert all(line.startswith(" " * 8) for line in lines)
    assert click.style("Supreme", bold=True) in lines[0]
    plain = " ".join(click.unstyle(line).strip() for line in lines)
    assert plain == "The Supreme Court ruled " + " ".join(["on the case"] * 12)
    assert wrap_snippet(parts, None).count("\n") == 0  # piped: one line
    assert (
        click.unstyle(wrap_snippet([("over", True), ("seas,", False)], 80)) == " " * 8 + "overseas,"
    )


def test_stories_rank_by_independent_sources_not_by_articles(
    precis: Precis, tmp_path: Path
) -> None:
    """Three articles from one outlet rank below two from two outlets, as the listing's
    'N independent sources' (and the reader) say."""
    lines = [
        {"title": f"Harbor ferry fares rise {n}", "source": "Gazette", "published": "2026-10-14",
         "text": f"Ferry fares across Harbor City rise by fifty cents in January, the transit "
                 f"board said, citing fuel costs and crew wages (report {n})."}
        for n in range(3)
    ] + [
        {"title": f"Northfield museum gets dinosaur skeleton {o}", "source": o,
         "published": "2026-10-01",
         "text": f"The Northfield natural history museum unveiled a complete dinosaur skeleton "
                 f"found by a farmer, curators said on Monday ({o})."}
        for o in ("Times", "Herald")
    ]  # fmt: skip
    (tmp_path / "s.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    ok(precis("add", str(tmp_path / "s.jsonl")))
    listed = json.loads(ok(precis("stories", "--format", "json")).stdout)
    assert [s["independent_sources"] for s in listed] == [2, 1]


def test_wrap_keeps_the_indent_and_the_width() -> None:
    text = ", ".join(f"Outlet number {i} (News)" for i in range(8))
    lines = wrap(text, "     ", 80).split("\n")
    assert len(lines) > 1
    assert all(len(line) <= 80 and line.startswith("     ") for line in lines)
    assert " ".join(line.strip() for line in lines) == text
    assert wrap(text, "     ", None) == "     " + text


def test_stories_lines_give_a_short_time_and_the_sources_on_their_own_line(
    precis: Precis, tmp_path: Path
) -> None:
    _add_two(precis, tmp_path)
    lines = ok(precis("stories")).stdout.splitlines()
    assert lines[1].endswith("latest 2026-10-20 00:00")
    assert lines[2].strip() == "Times"


def test_verbose_is_about_precis_not_the_schema_check(tmp_path: Path) -> None:
    """-v logs precis's own INFO messages; the migration library's chatter on every
    command start ('Context impl SQLiteImpl.') waits for -vv."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    db = str(tmp_path / "v.db")

    def run(*flags: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "precis", "--db", db, *flags, "ls"]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True)

    assert "alembic" not in run("-v").stderr
    assert "alembic" in run("-vv").stderr


def test_help_has_examples(precis: Precis) -> None:
    top = ok(precis("--help")).stdout
    assert "Examples:" in top
    assert "precis story 7 --summary" in top
    assert max(len(line) for line in top.splitlines()) <= 80
    assert "precis summarize 12 -s 3" in ok(precis("summarize", "--help")).stdout


def test_info_settings_read_as_name_value_then_what_it_means(precis: Precis) -> None:
    lines = ok(precis("info")).stdout.splitlines()
    at = lines.index("  story_threshold = 0.27")
    assert lines[at + 1].startswith("      average pair similarity")


def test_split_counts_in_words_and_ls_marks_a_cut_source(precis: Precis, tmp_path: Path) -> None:
    _add_two(precis, tmp_path)
    into, other = (s["id"] for s in json.loads(ok(precis("stories", "--format", "json")).stdout))
    ok(precis("story", "merge", str(into), str(other)))
    story = json.loads(ok(precis("story", str(into), "--format", "json")).stdout)
    split = ok(precis("story", "split", str(into), str(story["articles"][0]["id"])))
    assert "split 1 article from story" in split.stdout
    line = {"title": "Long", "text": "Body.", "source": "A source name far longer than twenty"}
    (tmp_path / "l.jsonl").write_text(json.dumps(line) + "\n")
    ok(precis("add", str(tmp_path / "l.jsonl")))
    assert "A source name far l…  Long" in ok(precis("ls")).stdout
