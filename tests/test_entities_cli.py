"""The entities/quotes commands over a temporary store, and the batch interface."""

from __future__ import annotations

import json

import sqlalchemy as sa

from conftest import Precis
from precis.config import Settings
from precis.store import Store

FIRST = (
    "Berlin budget agreed\n\n"
    '"We will not raise taxes," Chancellor Angela Merkel said on Tuesday. '
    "Officials in the U.S. said the talks would resume."
)
SECOND = (
    "Merkel under pressure\n\n"
    "Merkel said that spending would rise. The United States welcomed the plan, "
    "according to Ann Lee."
)


def _add(precis: Precis) -> None:
    for text in (FIRST, SECOND):
        result = precis("add", "-", input=text)
        assert result.exit_code == 0, result.output


def test_entities_entity_and_quotes(precis: Precis) -> None:
    _add(precis)
    listed = precis("entities")
    assert listed.exit_code == 0, listed.output
    assert "Angela Merkel (person) · 2 articles" in listed.stdout
    assert "United States (place) · 2 articles" in listed.stdout
    people = precis("entities", "--type", "person", "--format", "json", "--no-update")
    names = [row["name"] for row in json.loads(people.stdout)]
    assert "United States" not in names
    assert "Angela Merkel" in names
    detail = precis("entity", "merkel", "--format", "json")
    assert detail.exit_code == 0, detail.output
    data = json.loads(detail.stdout)
    assert data["name"] == "Angela Merkel"
    assert [s["text"] for s in data["statements_by"]] == [
        "We will not raise taxes",
        "spending would rise",
    ]
    quotes = precis("quotes", "--speaker", "Ann Lee", "--format", "json")
    assert [q["text"] for q in json.loads(quotes.stdout)] == ["The United States welcomed the plan"]


def test_unknown_entity_and_missing_stories_are_one_line_errors(precis: Precis) -> None:
    _add(precis)
    missing = precis("entity", "Nobody Atall")
    assert missing.exit_code == 1
    assert "no entity named 'Nobody Atall'" in missing.output
    story = precis("quotes", "--story", "999")
    assert story.exit_code == 1
    assert "no story with id 999" in story.output


def test_reanalysis_only_when_needed_and_delete_cascades(precis: Precis, db_url: str) -> None:
    _add(precis)
    first = precis("quotes")
    assert "analysed 2 article(s)" in first.stderr
    again = precis("quotes")
    assert "analysed" not in again.stderr
    removed = precis("rm", "1")
    assert removed.exit_code == 0, removed.output
    with Store.open(db_url) as store, store.engine.connect() as conn:
        for table in ("mentions", "statements", "entity_analyses"):
            count = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE article_id = 1"))
            assert count.scalar_one() == 0, table
        left = conn.execute(sa.text("SELECT count(*) FROM statements")).scalar_one()
        assert left == 2


def test_quotes_jsonl_batch(precis: Precis) -> None:
    lines = [
        json.dumps({"id": "a", "text": FIRST}),
        "not json",
        json.dumps({"id": "b", "text": ""}),
    ]
    result = precis("quotes", "--jsonl", "-", input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "b"]
    first = out[0]
    for quote in first["quotes"]:
        assert FIRST[quote["start"] : quote["end"]] == quote["text"]
    assert {"speaker", "cue", "text", "start", "end", "direct"} == set(first["quotes"][0])
    merkel = next(e for e in first["entities"] if e["name"] == "Angela Merkel")
    assert all(FIRST[s:e] for s, e in merkel["mentions"])
    assert out[1]["error"].startswith("invalid JSON")
    assert out[2] == {"id": "b", "quotes": [], "entities": []}


def test_spacy_model_setting() -> None:
    settings = Settings.load({"PRECIS_SPACY_MODEL": "my_model"})
    assert settings.spacy_model == "my_model"


def test_shared_statements_across_outlets(precis: Precis, db_url: str) -> None:
    from precis.pipeline import analyse_entities
    from precis.store.entities import shared_statements

    one = '"We will not raise taxes this year," Angela Merkel said on Tuesday.'
    two = 'Angela Merkel said: "We will not raise taxes." Critics disagreed.'
    for text in (one, two):
        assert precis("add", "-", input=text).exit_code == 0
    with Store.open(db_url) as store:
        assert analyse_entities(store) == 2
        (group,) = shared_statements(store, [1, 2])
    assert group["speaker"] == "Angela Merkel"
    assert group["outlets"] == 2
    assert {v["relation"] for v in group["versions"]} == {"verbatim", "trimmed"}


def test_entities_migration_downgrades_and_upgrades(db_url: str) -> None:
    from alembic import command

    from precis.store.db import alembic_config

    with Store.open(db_url) as store:
        config = alembic_config(db_url)
        command.downgrade(config, "0001_core")
        with store.engine.connect() as conn:
            assert "statements" not in sa.inspect(conn).get_table_names()
        store.migrate()
        with store.engine.connect() as conn:
            assert "statements" in sa.inspect(conn).get_table_names()


def test_bare_surname_joins_the_dominant_namesake_across_articles(precis: Precis) -> None:
    texts = [
        f"Budget talks {n}\n\nPresident Oskar Lindqvist said on day {n} that the budget "
        f"would pass. Lindqvist met Oskar Lindqvist's aides."
        for n in range(1, 4)
    ]
    texts.append("Gala\n\nFirst lady Maja Lindqvist opened a school.")
    texts.append("Later\n\nPresident Oskar B. Lindqvist visited Oslo.")
    texts.append("Budget vote\n\nSenator Lindqvist said the vote would be close.")
    for text in texts:
        result = precis("add", "-", input=text)
        assert result.exit_code == 0, result.output
    people = precis("entities", "--type", "person", "--format", "json")
    names = {row["name"]: row["articles"] for row in json.loads(people.stdout)}
    assert "Lindqvist" not in names, names
    assert "Oskar B. Lindqvist" not in names, names
    assert names["Oskar Lindqvist"] == 5
    quotes = precis("quotes", "--speaker", "Oskar Lindqvist", "--format", "json", "--no-update")
    assert "the vote would be close" in [q["text"] for q in json.loads(quotes.stdout)]


def test_a_surname_stored_first_joins_its_full_name_once_that_dominates(precis: Precis) -> None:
    """ "Lindqvist" analysed before any "Oskar Lindqvist" is stored apart; once the full
    name dominates the surname, the earlier mentions and statements join it."""
    texts = ["Budget vote\n\nSenator Lindqvist said the vote would be close."]
    texts += [
        f"Budget talks {n}\n\nPresident Oskar Lindqvist said on day {n} that the budget "
        f"would pass. Lindqvist met Oskar Lindqvist's aides."
        for n in range(1, 4)
    ]
    for text in texts:
        result = precis("add", "-", input=text)
        assert result.exit_code == 0, result.output
        assert precis("entities", "--format", "json").exit_code == 0  # analysed one at a time
    people = precis("entities", "--type", "person", "--format", "json")
    names = {row["name"]: row["articles"] for row in json.loads(people.stdout)}
    assert "Lindqvist" not in names, names
    assert names["Oskar Lindqvist"] == 4
    quotes = precis("quotes", "--speaker", "Oskar Lindqvist", "--format", "json", "--no-update")
    assert "the vote would be close" in [q["text"] for q in json.loads(quotes.stdout)]
