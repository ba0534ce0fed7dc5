"""The benchmarks pick up held-out data without code changes: every non-train NeuS split
present (bench/neus.py) and further CNN/DM-like summary sets (bench/summary_data.py).
Tiny files in tmp_path only; never ../shared/data."""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from bench import bench_storysum, neus, summary_data
from bench.bench_clustering import neus as neus_articles
from bench.summary_data import discover, extra_sets, generic, reference_sentences

ARTICLE = "The council approved the budget on Monday. It adds 40 buses. Fares stay the same."


def write_jsonl(path: Path, records: list[Any]) -> Path:
    text = "".join(json.dumps(r) + "\n" for r in records)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# -- the generic single-document loader


@pytest.mark.parametrize("article", summary_data.ARTICLE_FIELDS)
@pytest.mark.parametrize("reference", summary_data.REFERENCE_FIELDS)
def test_every_article_and_reference_field_name_is_read(
    tmp_path: Path, article: str, reference: str
) -> None:
    path = write_jsonl(
        tmp_path / "set.jsonl",
        [{article: ARTICLE, reference: "The council approved the budget. It adds buses."}],
    )
    [item] = generic([path])
    assert item.text == ARTICLE
    assert item.reference == ("The council approved the budget.", "It adds buses.")
    assert item.references == (item.reference,)
    assert item.systems == {}


def test_the_first_listed_field_wins_when_a_record_has_several(tmp_path: Path) -> None:
    # "text" is an article field too; "src" comes first, as "ref_summ" before "summary"
    record = {"text": "Not this.", "src": ARTICLE, "summary": "No.", "ref_summ": "Yes."}
    [item] = generic([write_jsonl(tmp_path / "a.jsonl", [record])])
    assert (item.text, item.reference) == (ARTICLE, ("Yes.",))


@pytest.mark.parametrize("name", ["set.jsonl", "set.jsonl.gz"])
def test_plain_and_gzipped_files_read_alike(tmp_path: Path, name: str) -> None:
    records = [{"article": ARTICLE, "highlights": f"Point {n}."} for n in range(3)]
    items = generic([write_jsonl(tmp_path / name, records)])
    assert [i.reference for i in items] == [("Point 0.",), ("Point 1.",), ("Point 2.",)]


def test_title_headline_and_ids_are_taken_when_present(tmp_path: Path) -> None:
    first = write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": 7, "title": "Budget passes", "story": ARTICLE, "reference": "Passed."}],
    )
    second = write_jsonl(
        tmp_path / "b.jsonl.gz",
        [{"doc_id": "cnn-1", "headline": "Buses", "document": ARTICLE, "summary": "Buses."}],
    )
    untitled = write_jsonl(tmp_path / "c.jsonl", [{"text": ARTICLE, "summary": "S."}] * 2)
    items = generic([first, second, untitled])
    assert [(i.id, i.title) for i in items] == [
        ("7", "Budget passes"),
        ("cnn-1", "Buses"),
        ("c.jsonl:1", ""),
        ("c.jsonl:2", ""),
    ]


def test_a_list_reference_is_one_sentence_per_string() -> None:
    # not re-split: each string is a sentence, even without a stop or with two
    assert reference_sentences(["Fares stay the same", "Buses come. Soon.", "  "]) == (
        "Fares stay the same",
        "Buses come. Soon.",
    )


def test_newline_highlights_are_sentences_even_without_a_stop() -> None:
    highlights = "Council approves budget\n- 40 new buses\n\n• Fares stay the same. Vote was 7-2"
    assert reference_sentences(highlights) == (
        "Council approves budget",
        "40 new buses",
        "Fares stay the same.",
        "Vote was 7-2",
    )


def test_a_one_line_reference_is_split_into_sentences() -> None:
    assert reference_sentences("It passed. Buses come.") == ("It passed.", "Buses come.")


def test_records_without_article_or_reference_are_left_out_and_limit_counts(
    tmp_path: Path,
) -> None:
    path = write_jsonl(
        tmp_path / "set.jsonl",
        [
            {"article": ARTICLE, "summary": "One."},
            {"article": "", "summary": "Empty article."},
            {"article": ARTICLE},
            ["not", "a", "record"],
            {"article": ARTICLE, "summary": ["Two."]},
            {"article": ARTICLE, "summary": "Three."},
        ],
    )
    assert [i.reference for i in generic([path])] == [("One.",), ("Two.",), ("Three.",)]
    assert [i.reference for i in generic([path], limit=2)] == [("One.",), ("Two.",)]


def summeval_record(doc_id: str, systems: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "doc_id": doc_id,
        "src": ARTICLE,
        "ref_summ": "The council approved the budget .",
        "ref_summs": ["The council approved the budget .", "Buses come . Fares stay ."],
    }
    if systems:
        record["sys_summs"] = {"M0": {"sys_summ": "It adds 40 buses .", "scores": {}}}
    return record


def test_summeval_format_records_bring_every_reference_and_their_systems(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "cnndm.jsonl.gz", [summeval_record("cnn-1", systems=True)])
    [item] = generic([path])
    assert item.id == "cnn-1"
    assert item.references == (
        ("The council approved the budget .",),
        ("Buses come .", "Fares stay ."),
    )
    assert item.systems == {"M0": "It adds 40 buses ."}


def test_a_further_set_is_scored_like_summeval_even_where_documents_differ(
    tmp_path: Path,
) -> None:
    from bench.bench_summaries import Rouge, methods, quality

    plain = {"article": ARTICLE, "highlights": "Council approves budget\n40 new buses"}
    path = write_jsonl(tmp_path / "set.jsonl", [summeval_record("a", systems=True), plain, plain])
    result = quality(generic([path]), Rouge(), methods())
    scores = result["scores"]
    assert result["documents"] == 3
    assert {"precis:precis", "precis:precis (3 sentences)", "Lead-3", "sumy:lexrank"} <= set(scores)
    assert {"oracle", "system:M0"} <= set(scores)
    # the one document with a system summary and with several references
    assert scores["system:M0"]["sentences"] == 1
    assert "rouge1_all_refs" in scores["oracle"]
    assert scores["Lead-3"]["sentences"] == 3


# -- finding further sets


def test_discover_finds_new_folders_and_skips_others_with_one_line_each(tmp_path: Path) -> None:
    root = tmp_path / "data"
    write_jsonl(root / "cnndm-heldout" / "test.jsonl.gz", [{"article": ARTICLE, "highlights": "A"}])
    write_jsonl(root / "cnndm-heldout" / "notes.jsonl", [{"note": "not a summary set"}])
    write_jsonl(root / "ratings" / "scores.jsonl", [{"text": ARTICLE, "score": 3}])
    (root / "pages").mkdir()
    (root / "pages" / "a.html").write_text("<p>hi</p>", encoding="utf-8")
    # a named set's own file is not a further set; a new file beside it is
    write_jsonl(root / "summeval" / "summeval.jsonl.gz", [{"src": ARTICLE, "ref_summ": "S."}])
    write_jsonl(root / "summeval" / "more.jsonl", [{"src": ARTICLE, "ref_summ": "S."}])
    write_jsonl(root / "dragnet" / "pages.jsonl", [{"html": "<p/>"}])
    write_jsonl(root / "loose.jsonl", [{"document": ARTICLE, "summary": "S."}])
    (root / "README.md").write_text("# data\n", encoding="utf-8")

    found, skipped = discover(root)

    assert found == {
        "cnndm-heldout": [root / "cnndm-heldout" / "test.jsonl.gz"],
        "loose": [root / "loose.jsonl"],
        "summeval/more": [root / "summeval" / "more.jsonl"],
    }
    fields = {
        "article": "article field (src|article|text|document|story)",
        "summary": "summary field (ref_summ|highlights|summary|reference|abstractive_summary)",
    }
    assert skipped == [
        "skipped dragnet/pages as a summary set: pages.jsonl: the first record has no "
        f"{fields['article']} and no {fields['summary']}",
        "skipped pages as a summary set: no *.jsonl or *.jsonl.gz file",
        f"skipped ratings as a summary set: scores.jsonl: the first record has no {fields['summary']}",
    ]


def test_a_folder_of_files_none_of_which_matches_says_so_for_the_first(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data" / "mixed" / "a.jsonl", [["a", "list"]])
    write_jsonl(tmp_path / "data" / "mixed" / "b.jsonl.gz", [{"text": ARTICLE}])
    (tmp_path / "data" / "mixed" / "c.jsonl.gz").write_text("not gzip", encoding="utf-8")
    found, [message] = discover(tmp_path / "data")
    assert found == {}
    assert message == (
        "skipped mixed as a summary set: a.jsonl: the first record is not a JSON object"
        " (and 2 more, none matching)"
    )


def test_a_file_that_is_not_json_lines_does_not_match(tmp_path: Path) -> None:
    (tmp_path / "data" / "broken").mkdir(parents=True)
    (tmp_path / "data" / "broken" / "x.jsonl.gz").write_text("not gzip", encoding="utf-8")
    found, [message] = discover(tmp_path / "data")
    assert found == {}
    assert message == "skipped broken as a summary set: x.jsonl.gz: not JSON lines (BadGzipFile)"


def test_extra_paths_come_first_named_by_file_or_folder(tmp_path: Path) -> None:
    root = tmp_path / "data"
    found_folder = root / "cnndm-heldout"
    write_jsonl(found_folder / "test.jsonl", [{"article": ARTICLE, "highlights": "A"}])
    mine = write_jsonl(tmp_path / "mine.jsonl.gz", [{"text": ARTICLE, "summary": "B."}])
    folder = tmp_path / "xsum"
    write_jsonl(folder / "part1.jsonl", [{"document": ARTICLE, "summary": "C."}])
    write_jsonl(folder / "part2.jsonl", [{"document": ARTICLE, "summary": "D."}])
    # named like a named set: kept apart under another name
    bbc = write_jsonl(tmp_path / "bbc.jsonl", [{"text": ARTICLE, "summary": "E."}])

    sets, skipped = extra_sets([mine, folder, bbc, found_folder], root)

    assert skipped == []
    # the folder given with --extra is not found a second time under root
    assert sets == {
        "mine": [mine],
        "xsum": [folder / "part1.jsonl", folder / "part2.jsonl"],
        "bbc#2": [bbc],
        "cnndm-heldout": [found_folder / "test.jsonl"],
    }


def test_an_extra_path_that_does_not_match_stops_with_the_reason(tmp_path: Path) -> None:
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"body": ARTICLE, "summary": "S."}])
    with pytest.raises(
        SystemExit, match=r"--extra .*bad.jsonl: bad.jsonl: the first record has no article field"
    ):
        extra_sets([bad], None)
    with pytest.raises(SystemExit, match="no such file or folder"):
        extra_sets([tmp_path / "missing.jsonl"], None)


def test_no_data_root_means_only_the_extra_paths(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", [{"text": ARTICLE, "summary": "S."}])
    assert extra_sets([path], tmp_path / "absent") == ({"s": [path]}, [])


# -- NeuS held-out splits


def neus_story(split: str, number: int) -> dict[str, Any]:
    topic = f"{split} story {number}"
    return {
        "id": f"{split}-{number}",
        "split": split,
        "articles": [
            {"title": f"{topic}: outlet {o}", "text": f"Officials said {topic} happened. {o}."}
            for o in "LCR"
        ],
        "summary_title": topic,
        "summary": f"Officials said {topic} happened.",
    }


@pytest.fixture
def neus_file(tmp_path: Path) -> Path:
    stories = [neus_story(s, n) for s, n in [("train", 0), ("test", 0), ("val", 0), ("test", 1)]]
    stories += [neus_story("train", 1), neus_story("val", 1), neus_story("dev", 0)]
    return write_jsonl(tmp_path / "neus_roundup.jsonl.gz", stories)


def test_held_out_splits_are_val_first_then_the_rest_never_train(neus_file: Path) -> None:
    assert neus.heldout_splits(neus_file) == ["val", "dev", "test"]


def test_only_train_and_val_means_val_alone(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "n.jsonl.gz", [neus_story("train", 0), neus_story("val", 0)])
    assert neus.heldout_splits(path) == ["val"]


def test_a_split_reads_its_stories_and_articles(neus_file: Path) -> None:
    assert [s["id"] for s in neus.stories("test", neus_file)] == ["test-0", "test-1"]
    docs, gold = neus_articles("test", file=neus_file)
    assert gold == ["test-0"] * 3 + ["test-1"] * 3
    assert [d.id for d in docs[:3]] == ["test-0/0", "test-0/1", "test-0/2"]
    # the limit stops after the story that reaches it
    assert len(neus_articles("test", limit=2, file=neus_file)[0]) == 3


def test_storysum_reports_val_as_before_and_each_further_split_apart(
    neus_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neus, "path", lambda: neus_file)
    monkeypatch.setattr("bench.common.RESULTS", tmp_path / "results")
    assert bench_storysum.run(argparse.Namespace(quick=True)) == 0
    result = json.loads((tmp_path / "results" / "storysum.json").read_text("utf-8"))
    assert result["stories"] == 2
    assert set(result["results"]) == {"precis", "sumy_textrank", "sumy_lexrank", "lead", "oracle"}
    further = result["further_splits"]
    assert list(further) == ["dev", "test"]
    assert (further["dev"]["stories"], further["test"]["stories"]) == (1, 2)
    assert further["test"]["results"].keys() == result["results"].keys()
