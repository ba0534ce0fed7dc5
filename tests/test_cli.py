"""The command line end to end, over a temporary SQLite database."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import Result

from conftest import ROOT, Precis
from precis.store.db import content_hash
from precis.summarize.base import MAX_DEFAULT_SENTENCES

ARTICLE = """\
Council approves larger budget
Source: Riverton Gazette
Published: 2026-10-14T21:00:00Z
URL: https://gazette.example/budget

No time to read? Get a summary
Share this article

The city council voted 7-2 on Tuesday to approve a larger budget. The mayor called the vote historic.

Opponents said taxes would rise. The budget takes effect in January.

Previous Article
Ferry fares to rise 50 cents in January
"""
PAGE = """<html><head><title>Bridge reopens | Valley Times</title>
<meta property="og:site_name" content="Valley Times"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Bridge reopens</h1>
<p>The Eastbrook bridge reopened to traffic on Monday after eight months of repairs, the county said.</p>
<p>Engineers replaced the deck and two of the piers. The work cost $14 million, under budget.</p>
<script>alert("x")</script></article></body></html>"""


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def one_line_error(result: Result, fragment: str) -> None:
    """A failure shows as one line naming the problem, no traceback, non-zero exit."""
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if fragment in line]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(("error: ", "Error: ")), errors[0]


def count(precis: Precis) -> int:
    listed = ok(precis("ls", "--format", "json"))
    return len(json.loads(listed.stdout))


# -- add / show / ls / rm / info -----------------------------------------------------------


def test_add_every_kind_then_list_show_and_remove(precis: Precis, tmp_path: Path) -> None:
    (tmp_path / "in" / "deep").mkdir(parents=True)
    (tmp_path / "in" / "budget.txt").write_text(ARTICLE)
    (tmp_path / "in" / "deep" / "bridge.html.gz").write_bytes(gzip.compress(PAGE.encode()))
    record = {
        "id": "w-1",
        "title": "Rate cut",
        "text": "The central bank cut its rate to 3.5 per cent on Wednesday.",
        "source": "Metro Wire",
        "published": "2026-11-05",
    }
    (tmp_path / "in" / "wire.jsonl").write_text(json.dumps(record) + "\n")
    added = ok(precis("add", str(tmp_path / "in")))
    assert "3 added, 0 already stored, 0 failed" in added.stdout
    stdin = ok(precis("add", "-", input="Stdin headline\n\nA story read from standard input."))
    assert "1 added" in stdin.stdout

    listed = ok(precis("ls")).stdout.splitlines()
    assert [line.split()[0] for line in listed][:2] == ["3", "1"]  # newest first
    assert "Rate cut" in listed[0]
    by_source = json.loads(ok(precis("ls", "--source", "Metro Wire", "--format", "json")).stdout)
    assert [a["title"] for a in by_source] == ["Rate cut"]
    window = json.loads(
        ok(
            precis("ls", "--since", "2026-10-01", "--until", "2026-11-01", "--format", "json")
        ).stdout
    )
    assert [a["title"] for a in window] == ["Council approves larger budget"]

    shown = json.loads(ok(precis("show", "1", "--format", "json")).stdout)
    assert shown["text"] == (
        "The city council voted 7-2 on Tuesday to approve a larger budget. The mayor called the "
        "vote historic.\nOpponents said taxes would rise. The budget takes effect in January."
    )
    assert shown["source"] == "Riverton Gazette"
    assert ok(precis("show", "1", "--raw")).stdout == ARTICLE + "\n"
    bridge = json.loads(ok(precis("show", "2", "--format", "json")).stdout)
    assert bridge["title"] == "Bridge reopens"
    assert bridge["source"] == "Valley Times"
    assert "alert" not in bridge["text"]
    assert "Home" not in bridge["text"]

    ok(precis("rm", "4"))
    assert count(precis) == 3
    one_line_error(precis("rm", "4"), "no article with id 4")


def test_readding_reports_already_stored(precis: Precis, tmp_path: Path) -> None:
    path = tmp_path / "budget.txt"
    path.write_text(ARTICLE)
    ok(precis("add", str(path)))
    again = ok(precis("add", str(path)))
    assert "already stored (same url): #1" in again.stdout
    copy = tmp_path / "copy.txt"
    copy.write_text(ARTICLE.replace("URL: https://gazette.example/budget\n", "").upper())
    same = ok(precis("add", str(copy)))
    assert "already stored (same content): #1" in same.stdout
    assert count(precis) == 1


def test_info_and_migrate(precis: Precis) -> None:
    info = json.loads(ok(precis("info", "--format", "json")).stdout)
    assert info["database"] == precis.db_url
    assert info["articles"] == 0
    assert info["schema_revision"]
    assert "max_input_bytes" in info["settings"]
    assert "schema at" in ok(precis("migrate")).stdout


def test_migrate_stores_the_split_of_articles_loaded_without_one(
    precis: Precis, tmp_path: Path
) -> None:
    page = tmp_path / "a.txt"
    page.write_text("Budget passes\n\nThe council met on Monday. It approved the budget.\n")
    ok(precis("add", str(page)))
    with sqlite3.connect(precis.db_url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE articles SET sentences = NULL")  # as a bulk load leaves them
    assert "stored the sentence split of 1 articles" in ok(precis("migrate")).stdout
    assert "sentence split" not in ok(precis("migrate")).stdout  # nothing left to fill
    with sqlite3.connect(precis.db_url.removeprefix("sqlite:///")) as conn:
        (stored,) = conn.execute("SELECT sentences FROM articles").fetchone()
    assert json.loads(stored)[0] >= 1  # the splitter's version, then the spans
    assert len(json.loads(stored)) == 1 + 3 * 2


def test_database_from_environment_and_default_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from precis.cli import cli

    env_db = tmp_path / "env.db"
    monkeypatch.setenv("PRECIS_DATABASE_URL", f"sqlite:///{env_db}")
    shown = CliRunner().invoke(cli, ["info"], catch_exceptions=False)
    assert str(env_db) in shown.stdout
    monkeypatch.delenv("PRECIS_DATABASE_URL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    shown = CliRunner().invoke(cli, ["info"], catch_exceptions=False)
    assert str(tmp_path / "xdg" / "precis" / "precis.db") in shown.stdout


# -- extract ---------------------------------------------------------------------------------


def test_extract_prints_and_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    precis = Precis(f"sqlite:///{db}")
    page = tmp_path / "bridge.html"
    page.write_text(PAGE)
    data = json.loads(ok(precis("extract", str(page), "--format", "json")).stdout)
    assert data["title"] == "Bridge reopens"
    assert data["text"].startswith("The Eastbrook bridge reopened")
    text = ok(precis("extract", "-", input=ARTICLE)).stdout
    assert text.startswith("Council approves larger budget\nRiverton Gazette")
    assert "Share this article" not in text
    assert not db.exists()


# -- summarize --------------------------------------------------------------------------------


def test_summarize_stored_article_json_offsets_point_into_the_clean_text(precis: Precis) -> None:
    body = " ".join(f"Sentence number {i} says something about the harbour." for i in range(12))
    ok(precis("add", "-", input=f"Harbour news\n\n{body}\n"))
    text = json.loads(ok(precis("show", "1", "--format", "json")).stdout)["text"]
    for flags in (["--sentences", "4"], ["--words", "20"], ["--ratio", "0.3"], []):
        for method in ("precis", "lead", "textrank", "lexrank"):
            out = ok(precis("summarize", "1", "--format", "json", "--method", method, *flags))
            data = json.loads(out.stdout)
            assert data["id"] == 1
            indexes = [s["index"] for s in data["summary"]]
            assert indexes == sorted(indexes)
            assert data["summary"]
            for sentence in data["summary"]:
                assert text[sentence["start"] : sentence["end"]] == sentence["text"]
    four = json.loads(ok(precis("summarize", "1", "-s", "4", "--format", "json")).stdout)
    assert len(four["summary"]) == 4
    markdown = ok(precis("summarize", "1", "-s", "2", "--format", "markdown")).stdout
    assert markdown.startswith("## Harbour news\n")
    assert markdown.count("\n- ") == 2


def test_summarize_file_and_stdin_store_nothing(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    precis = Precis(f"sqlite:///{db}")
    path = tmp_path / "budget.txt"
    path.write_text(ARTICLE)
    from_file = ok(precis("summarize", str(path), "-s", "1")).stdout.strip()
    assert from_file == "The city council voted 7-2 on Tuesday to approve a larger budget."
    from_stdin = ok(precis("summarize", "-s", "1", input=ARTICLE)).stdout.strip()
    assert from_stdin == from_file
    assert not db.exists()


def test_reextract_after_new_rules_invalidates_cached_summaries(
    precis: Precis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        "Bridge news\n\nListen to this story\n\nThe bridge reopened on Monday. Traffic was light.\n"
    )
    ok(precis("add", "-", input=text))
    before = ok(precis("summarize", "1", "--method", "lead", "-s", "1")).stdout.strip()
    assert before == "Listen to this story"
    assert "0 changed, 1 unchanged" in ok(precis("reextract")).stdout
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "listen"\npattern = "listen to this story"\n')
    monkeypatch.setenv("PRECIS_BOILERPLATE_RULES", str(rules))
    assert "1 changed" in ok(precis("reextract", "1")).stdout
    after = ok(precis("summarize", "1", "--method", "lead", "-s", "1")).stdout.strip()
    assert after == "The bridge reopened on Monday."
    one_line_error(precis("reextract", "9"), "no article with id 9")


def test_reextract_keeps_jsonl_metadata(precis: Precis) -> None:
    line = json.dumps({"title": "Given title", "text": "Share this\nBody of it.", "url": "u:1"})
    ok(precis("add", "-", input=line + "\n"))
    assert ok(precis("show", "1", "--raw")).stdout.strip() == line
    ok(precis("reextract"))
    shown = json.loads(ok(precis("show", "1", "--format", "json")).stdout)
    assert (shown["title"], shown["url"], shown["text"]) == ("Given title", "u:1", "Body of it.")


def test_batch_jsonl_never_touches_the_database(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "precis.db"
    precis = Precis(f"sqlite:///{missing}")
    texts = {
        "a": "First point of story a. Second point of story a. Third point of story a.",
        "b": "  Leading spaces here. Then a second sentence.",
    }
    lines = [json.dumps({"id": k, "text": v, "title": "T"}) for k, v in texts.items()]
    out = ok(precis("summarize", "--jsonl", "-", "-s", "1", input="\n".join(lines) + "\n"))
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    for row in rows:
        (sentence,) = row["summary"]
        assert texts[row["id"]][sentence["start"] : sentence["end"]] == sentence["text"]
    assert not missing.parent.parent.parent.exists()
    bad = precis("summarize", "--jsonl", "-", input=lines[0] + "\n{oops\n")
    assert bad.exit_code == 1
    one_line_error(bad, "-:2: invalid JSON")
    assert len(bad.stdout.splitlines()) == 2


def test_summarize_flag_errors(precis: Precis) -> None:
    one_line_error(precis("summarize", "7"), "no article with id 7")
    one_line_error(precis("summarize", "-s", "2", "-w", "5", input="x"), "only one of")
    one_line_error(precis("summarize", "--ratio", "1.5", input="x"), "--ratio")
    one_line_error(precis("summarize", "1", "--jsonl", "-"), "not both")


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b"  \n\n\t \n", "only whitespace"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 30, "binary"),
        ("nav.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article"),
        ("promo.txt", b"Share this article\nAccept cookies\n", "no article text"),
    ],
)
def test_bad_files_fail_in_one_line_and_store_nothing(
    precis: Precis, tmp_path: Path, name: str, content: bytes, fragment: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = precis("add", str(path))
    one_line_error(result, fragment)
    assert "0 added" in result.stdout
    assert count(precis) == 0


def test_size_limits(precis: Precis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(50_000_000)
    one_line_error(precis("add", str(huge)), "20,000,000-byte limit")
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"word " * 5_000_000))
    monkeypatch.setenv("PRECIS_MAX_INPUT_BYTES", "1000000")
    one_line_error(precis("add", str(bomb)), "decompressed size exceeds")
    small = tmp_path / "small.txt"
    small.write_text(ARTICLE)
    monkeypatch.setenv("PRECIS_MAX_INPUT_BYTES", "100")
    one_line_error(precis("add", str(small)), "raise PRECIS_MAX_INPUT_BYTES")
    assert count(precis) == 0


def test_legacy_encodings_are_decoded(precis: Precis, tmp_path: Path) -> None:
    path = tmp_path / "cafe.txt"
    path.write_bytes("Café news\n\nThe naïve “plan” cost €5 – critics said so.".encode("cp1252"))
    ok(precis("add", str(path)))
    shown = json.loads(ok(precis("show", "1", "--format", "json")).stdout)
    assert (shown["title"], shown["text"]) == (
        "Café news",
        "The naïve “plan” cost €5 – critics said so.",
    )


def test_malformed_jsonl_lines_are_numbered_and_good_lines_stored(
    precis: Precis, tmp_path: Path
) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text(
        json.dumps({"text": "Good line one is here."})
        + "\n{broken\n"
        + json.dumps({"title": "no text"})
        + "\n"
        + json.dumps({"text": "Good line four is here."})
        + "\n"
    )
    result = precis("add", str(path))
    assert result.exit_code == 1
    one_line_error(result, f"{path}:2: invalid JSON")
    one_line_error(result, f"{path}:3: needs a non-empty")
    assert "2 added, 0 already stored, 2 failed" in result.stdout
    assert count(precis) == 2


def test_missing_and_unreadable_paths(precis: Precis, tmp_path: Path) -> None:
    one_line_error(precis("add", str(tmp_path / "missing.txt")), "no such file")
    (tmp_path / "file.txt").write_text(ARTICLE)
    one_line_error(precis("add", str(tmp_path / "file.txt" / "x.txt")), "x.txt")
    one_line_error(precis("extract", str(tmp_path / "missing.txt")), "no such file")
    one_line_error(precis("summarize", str(tmp_path / "missing.txt")), "no such file")
    if os.geteuid() != 0:
        locked = tmp_path / "locked.txt"
        locked.write_text(ARTICLE)
        locked.chmod(0)
        one_line_error(precis("add", str(locked)), "cannot be read")
        locked.chmod(0o600)
    assert count(precis) == 0


def test_unknown_ids_and_bad_dates(precis: Precis) -> None:
    one_line_error(precis("show", "42"), "no article with id 42")
    one_line_error(precis("ls", "--since", "last tuesday"), "--since")
    one_line_error(precis("ls", "--until", "2026-13-45"), "--until")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PRECIS_MAX_INPUT_BYTES", "lots"),
        ("PRECIS_MAX_INPUT_BYTES", "-5"),
        ("PRECIS_LOG_SQL", "maybe"),
        ("PRECIS_BOILERPLATE_RULES", "/nonexistent/rules.toml"),
    ],
)
def test_invalid_settings_name_their_key(
    precis: Precis, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    one_line_error(precis("add", "-", input=ARTICLE), name)


def test_single_sentence_and_5000_sentence_articles(precis: Precis) -> None:
    ok(precis("add", "-", input="The bridge reopened on Monday."))
    single = json.loads(ok(precis("summarize", "1", "--format", "json")).stdout)
    assert [s["text"] for s in single["summary"]] == ["The bridge reopened on Monday."]
    paragraphs = [
        " ".join(
            f"Report {p}-{i} notes that the harbour budget grew by {i} per cent." for i in range(10)
        )
        for p in range(500)
    ]
    ok(precis("add", "-", input="A very long report\n\n" + "\n\n".join(paragraphs)))
    long = json.loads(ok(precis("summarize", "2", "--format", "json")).stdout)
    # auto length for a very long article: the nominal count (up to 7), one more if short
    assert 3 <= len(long["summary"]) <= MAX_DEFAULT_SENTENCES + 1
    shown = json.loads(ok(precis("show", "2", "--format", "json")).stdout)
    for sentence in long["summary"]:
        assert shown["text"][sentence["start"] : sentence["end"]] == sentence["text"]


def test_killed_ingest_leaves_whole_articles_and_a_rerun_completes(tmp_path: Path) -> None:
    """SIGKILL a real ``precis add`` process midway: no partial article, re-run finishes."""
    total = 300
    corpus = tmp_path / "big.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"id": str(i), "text": f"Article {i} reports event {i} in detail."}) + "\n"
            for i in range(total)
        )
    )
    db = tmp_path / "kill.db"
    command = [sys.executable, "-m", "precis", "--db", str(db), "add", "--quiet", str(corpus)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    stored = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
        stored = _stored_count(db)
        if stored >= 10:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    connection = sqlite3.connect(db)
    rows = connection.execute("SELECT text, content_hash, word_count, raw FROM articles").fetchall()
    connection.close()
    if len(rows) == total:
        pytest.skip("the ingest finished before it could be killed")
    assert rows, "nothing was stored before the kill"
    for text, digest, words, raw in rows:
        assert digest == content_hash(text)
        assert words == len(text.split())
        assert json.loads(raw)["text"] == text
    rerun = Precis(f"sqlite:///{db}")("add", "--quiet", str(corpus))
    assert rerun.exit_code == 0, rerun.output
    assert f"{total - len(rows)} added, {len(rows)} already stored, 0 failed" in rerun.stderr
    assert _stored_count(db) == total


def _stored_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        connection = sqlite3.connect(db, timeout=1)
        try:
            return int(connection.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.OperationalError:  # schema not created yet
        return 0


def test_batch_reports_bad_lines_and_unreadable_files(tmp_path: Path) -> None:
    precis = Precis(f"sqlite:///{tmp_path / 'never.db'}")
    path = tmp_path / "batch.jsonl.gz"
    good = json.dumps({"id": 1, "text": "One sentence here. Another one there."}).encode()
    path.write_bytes(
        gzip.compress(
            good + b"\n" + '{"id": 2, "text": "caf\xe9"}'.encode("latin-1") + b"\n" + b'{"id": 3}\n'
        )
    )
    result = precis("summarize", "--jsonl", str(path))
    assert result.exit_code == 1
    one_line_error(result, f"{path}:2: line is not valid UTF-8")
    one_line_error(result, f"{path}:3: each line must be an object with a 'text' string")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("id") for r in rows] == [1, None, 3]
    assert "summary" in rows[0]
    one_line_error(
        precis("summarize", "--jsonl", str(tmp_path / "missing.jsonl")), "cannot be read"
    )
    one_line_error(precis("summarize", "--jsonl", str(tmp_path)), "cannot be read")
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(gzip.compress(good * 100)[:60])
    one_line_error(precis("summarize", "--jsonl", str(broken)), "cannot be read")
    assert not (tmp_path / "never.db").exists()


def test_database_that_is_not_a_database(tmp_path: Path) -> None:
    garbage = tmp_path / "notes.db"
    garbage.write_bytes(b"these are my notes, not an SQLite database\n" * 100)
    result = Precis(str(garbage))("ls")
    one_line_error(result, "file is not a database")
    assert garbage.read_bytes().startswith(b"these are my notes")


@pytest.mark.parametrize("url", ["foo", "nonsense://x"])
def test_bad_database_urls(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from precis.cli import cli

    monkeypatch.setenv("PRECIS_DATABASE_URL", url)
    one_line_error(CliRunner().invoke(cli, ["ls"], catch_exceptions=False), "cannot open database")
