"""The extraction benchmark's trafilatura-eval scoring: the segment metric, the title
matches and the gold loader (tiny fixture in a temp folder)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from bench.extraction_trafeval import (
    Gold,
    load_gold,
    loose_match,
    same_text,
    segment_counts,
    segment_scores,
    shares,
)

PAGE = Gold(
    path=Path("unused.html.gz"),
    with_=("Die Brücke  wurde\neröffnet", "am Montag"),
    without=("Impressum", "Kommentar verfassen"),
)


def test_segments_are_found_after_whitespace_normalisation() -> None:
    output = "Die Brücke wurde eröffnet,\n  am Montag.\nImpressum"
    # both "with" segments found across line breaks; one "without" segment leaked
    assert segment_counts(output, PAGE) == (2, 0, 1, 1)
    assert segment_counts("", PAGE) == (0, 2, 0, 2)


def test_scores_sum_counts_over_documents() -> None:
    gold = {"a": PAGE, "b": PAGE}
    outputs = {"a": "Die Brücke wurde eröffnet am Montag. Impressum"}  # b: empty output
    scores = segment_scores(outputs, gold)
    assert (scores["tp"], scores["fn"], scores["fp"], scores["tn"]) == (2, 2, 1, 3)
    assert scores["precision"] == round(2 / 3, 3)
    assert scores["recall"] == 0.5
    assert scores["accuracy"] == round(5 / 8, 3)
    p, r = 2 / 3, 0.5
    assert scores["f"] == round(2 * p * r / (p + r), 3)
    assert segment_scores({}, gold)["f"] == 0.0


@pytest.mark.parametrize(
    ("got", "exact", "loose"),
    [
        ("Rasende  Polizisten", True, True),
        ("rasende polizisten", True, True),
        ("Rasende Polizisten | Video", False, True),  # 3 words of 2: within 1.5x
        ("Rasende Polizisten - strafprozess.ch", False, False),  # 4 words: over 1.5x
        ("Rasende Polizisten - Strafprozess und Recht in der Schweiz", False, False),
        ("Polizisten", False, False),
        (None, False, False),
    ],
)
def test_title_matches(got: str | None, exact: bool, loose: bool) -> None:
    assert same_text(got, "Rasende Polizisten") is exact
    assert loose_match(got, "Rasende Polizisten") is loose


def test_shares_count_only_pages_with_a_gold_value() -> None:
    got = {"a": "Rasende Polizisten", "b": "Other", "c": "x"}
    gold: dict[str, str | None] = {"a": "Rasende Polizisten", "b": "Brücke eröffnet", "c": None}
    assert shares(got, gold) == {"pages": 2, "exact": 0.5, "match": 0.5}
    assert shares(got, gold, loose=False) == {"pages": 2, "exact": 0.5}


def test_gold_loader_keeps_the_file_order_and_metadata(tmp_path: Path) -> None:
    data = {
        "https://b.test/2": {"html_gz": "html/b.html.gz", "with": ["x"], "without": []},
        "https://a.test/1": {
            "html_gz": "html/a.html.gz",
            "with": ["y"],
            "without": ["z"],
            "title": " Rasende\nPolizisten ",
            "date": "2019-10-30",
            "author": "",
        },
    }
    with gzip.open(tmp_path / "evaldata.json.gz", "wt", encoding="utf-8") as handle:
        json.dump(data, handle)
    gold = load_gold(tmp_path)
    assert list(gold) == ["https://b.test/2", "https://a.test/1"]
    page = gold["https://a.test/1"]
    assert page.path == tmp_path / "html" / "a.html.gz"
    assert (page.with_, page.without) == (("y",), ("z",))
    assert (page.title, page.date, page.author) == ("Rasende Polizisten", "2019-10-30", None)
    assert gold["https://b.test/2"].title is None
