"""The extraction benchmark's Dragnet loader: gold text, comments, splits (tiny fixture)."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

from bench.extraction_dragnet import (
    DRAGNET_COMMENTS,
    dragnet_gold,
    dragnet_splits,
    gold_body,
    headline_found,
    score_dragnet,
)
from bench.extraction_shingles import item_scores

ARTICLE = (
    "Harbour bridge reopens\n\nThe harbour bridge reopened on Monday after two years of "
    "repairs, the city council said. Traffic was light in the morning."
)
NAV = "<html><body><nav><a href='/'>Home</a> <a href='/about'>About us</a></nav></body></html>"


def _page(text: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n")[1:])
    return (
        f"<html><body><article><h1>Harbour bridge reopens</h1>{paragraphs}</article></body></html>"
    )


def _dragnet(
    root: Path, pages: dict[str, str], gold: dict[str, bytes], splits: dict[str, str]
) -> Path:
    (root / "html").mkdir(parents=True)
    for item, html in pages.items():
        (root / "html" / f"{item}.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
    with tarfile.open(root / "dragnet_Corrected.tar.gz", "w:gz") as archive:
        folder = tarfile.TarInfo("Corrected")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for item, data in gold.items():
            info = tarfile.TarInfo(f"Corrected/{item}.html.corrected.txt")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    for split, ids in splits.items():
        (root / f"{split}.txt").write_text(ids, encoding="utf-8")
    return root


def test_gold_drops_the_comments_section_and_reads_windows_1252() -> None:
    data = f"Body line one.\r\n\r\n{DRAGNET_COMMENTS}\r\nGreat post!\r\n".encode()
    assert gold_body(data) == "Body line one."
    assert gold_body("We\u2019ve claimed it \u2013 twice.".encode("cp1252")) == (
        "We\u2019ve claimed it \u2013 twice."
    )
    assert gold_body(b"No comments here.\n") == "No comments here."


def test_splits_hold_pages_with_html_and_gold_and_test_appears_with_its_html(
    tmp_path: Path,
) -> None:
    gold = {
        "a": f"{ARTICLE}\n{DRAGNET_COMMENTS}\nFirst!".encode(),
        "R2": ARTICLE.encode(),
        "c": ARTICLE.encode(),
        "T9": ARTICLE.encode(),
    }
    root = _dragnet(
        tmp_path / "dragnet",
        {"a": _page(ARTICLE), "R2": NAV},
        gold,
        {"training": "a\nR2\nc\nmissing-gold\n", "test": "T9\n"},
    )
    loaded = dragnet_gold(root)
    assert set(loaded) == {"a", "R2", "c", "T9"}
    assert loaded["a"] == ARTICLE
    # c has no HTML, T9's HTML is kept back: the test split is not reported at all.
    assert dragnet_splits(root, loaded) == {"training": ["a", "R2"]}
    (root / "html" / "T9.html.gz").write_bytes(gzip.compress(_page(ARTICLE).encode()))
    assert dragnet_splits(root, loaded) == {"training": ["a", "R2"], "test": ["T9"]}


def test_scoring_counts_a_refused_page_as_empty(tmp_path: Path) -> None:
    gold = {"a": ARTICLE.encode(), "b": ARTICLE.encode()}
    root = _dragnet(tmp_path / "d", {"a": _page(ARTICLE), "b": NAV}, gold, {"training": "a b"})
    ranked, articles = score_dragnet(root, ["a", "b"], dragnet_gold(root))
    assert articles["b"] is None
    row = ranked["precis (precis add path)"]
    assert (row["pages"], row["refused"], row["empty"]) == (2, 1, 1)
    # Page a is found exactly but for the headline precis stores apart; b scores 0.
    precision, recall, _ = item_scores(ARTICLE.split("\n\n", 1)[1], ARTICLE)
    assert row["recall"] == round((recall or 0) / 2, 3)
    assert row["precision"] == round(precision or 0, 3)
    assert set(ranked) >= {"trafilatura (live, defaults)", "jusText (live, English stoplist)"}


def test_headline_found_in_the_gold_opening_lines() -> None:
    gold = "Tower Plans Approved\nBy A. Writer\n\nThe council approved the tower on Monday."
    assert headline_found("Tower plans approved", gold)
    assert not headline_found("Follow Us!", gold)
    assert not headline_found(None, gold)
    assert not headline_found(
        "The council approved the tower on Monday", "\n".join(["x"] * 5 + [gold])
    )
