"""Reading inputs: files, directories, gzip, JSONL, stdin, encodings and limits."""

from __future__ import annotations

import gzip
import io
import json
import logging
from pathlib import Path

import pytest

from precis.errors import InputError
from precis.ingest.decode import decode
from precis.ingest.files import Item, parse_record, read_inputs, stored_raw
from precis.models import RawDocument

LIMIT = 1_000_000
ARTICLE = (
    "Harbor ferry fares to rise in January\n\n"
    "Ferry fares across the harbour will rise by 50 cents in January, the transit authority said.\n"
)
FRENCH = (
    "Café owners in Montréal called the naïve plan a crème brûlée of promises, élite critics said."
)
QUOTES = "“We will win,” she said – it’s over. The €5 fee was “naïve”, critics said…"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def read(*paths: str | Path, limit: int = LIMIT, stdin: bytes | None = None) -> list[Item]:
    stream = io.BytesIO(stdin) if stdin is not None else None
    return list(read_inputs([str(p) for p in paths], limit, stream))


def docs(items: list[Item]) -> list[RawDocument]:
    assert all(isinstance(i, RawDocument) for i in items), items
    return [i for i in items if isinstance(i, RawDocument)]


def only_error(items: list[Item]) -> InputError:
    assert len(items) == 1
    assert isinstance(items[0], InputError), items
    return items[0]


@pytest.mark.parametrize(
    ("name", "media"),
    [("a.txt", "text"), ("a.md", "text"), ("a.html", "html"), ("a.htm", "html")],
)
def test_suffix_decides_media_type(tmp_path: Path, name: str, media: str) -> None:
    (tmp_path / name).write_text(ARTICLE, encoding="utf-8")
    (doc,) = docs(read(tmp_path / name))
    assert doc.media_type == media
    assert doc.content == ARTICLE
    assert doc.origin == str(tmp_path / name)


@pytest.mark.parametrize("name", ["a.txt.gz", "a.html.gz", "a.jsonl.gz"])
def test_gzip_variants(tmp_path: Path, name: str) -> None:
    body = json.dumps({"text": ARTICLE}) if "jsonl" in name else ARTICLE
    (tmp_path / name).write_bytes(gzip.compress(body.encode("utf-8")))
    (doc,) = docs(read(tmp_path / name))
    assert doc.content == ARTICLE
    assert doc.media_type == ("html" if ".html" in name else "text")


def test_directories_are_read_recursively_in_order_skipping_hidden_and_unknown(
    tmp_path: Path,
) -> None:
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "deep" / "z.txt").write_text(ARTICLE)
    (tmp_path / "a.html").write_text("<html><body><p>x</p></body></html>")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / ".git" / "c.txt").write_text(ARTICLE)
    origins = [d.origin for d in docs(read(tmp_path))]
    assert origins == [str(tmp_path / "a.html"), str(tmp_path / "b" / "deep" / "z.txt")]


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    assert "holds no .txt" in only_error(read(tmp_path)).reason


def test_stdin_is_sniffed(tmp_path: Path) -> None:
    (doc,) = docs(read("-", stdin=ARTICLE.encode()))
    assert (doc.origin, doc.media_type) == ("-", "text")
    (page,) = docs(read("-", stdin=b"<!DOCTYPE html><html><body><p>Hi</p></body></html>"))
    assert page.media_type == "html"
    lines = b'{"text": "one"}\n{"text": "two"}\n'
    assert [d.content for d in docs(read("-", stdin=lines))] == ["one", "two"]
    gz = gzip.compress(ARTICLE.encode())
    assert docs(read("-", stdin=gz))[0].content == ARTICLE


def test_jsonl_fields_and_line_numbered_errors(tmp_path: Path) -> None:
    good = {
        "id": "x-1",
        "title": "Title",
        "url": "https://news.example/1",
        "source": "News",
        "published": "2026-10-14",
        "author": "A. Writer",
        "text": "Body text.",
        "ignored": "field",
    }
    lines = [
        json.dumps(good),
        "",
        "{not json",
        "[1, 2]",
        json.dumps({"title": "no body"}),
        json.dumps({"html": "<p>Page</p>", "id": 7}),
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n")
    items = read(path)
    assert len(items) == 5
    first, bad_json, not_object, no_body, page = items
    assert isinstance(first, RawDocument)
    assert dict(first.metadata) == {k: v for k, v in good.items() if k not in ("text", "ignored")}
    assert first.record == lines[0]
    assert first.origin == f"{path}:1"
    assert isinstance(bad_json, InputError)
    assert bad_json.origin == f"{path}:3"
    assert "invalid JSON" in bad_json.reason
    assert isinstance(not_object, InputError)
    assert not_object.origin == f"{path}:4"
    assert isinstance(no_body, InputError)
    assert "'text' or 'html'" in no_body.reason
    assert isinstance(page, RawDocument)
    assert (page.media_type, page.metadata["id"], page.origin) == ("html", "7", f"{path}:6")


def test_stored_raw_rebuilds_jsonl_records_with_their_metadata() -> None:
    line = json.dumps({"text": "Body.", "title": "T", "url": "https://n.example/2"})
    doc = stored_raw("c.jsonl:4", line, "jsonl")
    assert isinstance(doc, RawDocument)
    assert (doc.content, doc.metadata["title"], doc.record) == ("Body.", "T", line)
    assert isinstance(stored_raw("x", "{broken", "jsonl"), InputError)


# -- bad input ---------------------------------------------------------------------------


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b" \n\t\r\n  \n")
    assert "empty" in only_error(read(tmp_path / "empty.txt")).reason
    assert "whitespace" in only_error(read(tmp_path / "blank.txt")).reason
    assert "whitespace" in only_error(read("-", stdin="\u00a0\u2003\n".encode())).reason


def test_binary_is_refused(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(PNG * 20)
    assert "binary" in only_error(read(tmp_path / "image.txt")).reason


def test_missing_path(tmp_path: Path) -> None:
    error = only_error(read(tmp_path / "nope.txt"))
    assert "no such file" in error.reason


def test_directory_in_place_of_a_file_parent(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    error = only_error(read(tmp_path / "a.txt" / "b.txt"))
    assert error.origin.endswith("b.txt")


def test_unreadable_file(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads any file; the directory case above covers unreadable paths")
    path = tmp_path / "secret.txt"
    path.write_text(ARTICLE)
    path.chmod(0)
    try:
        assert "cannot be read" in only_error(read(path)).reason
    finally:
        path.chmod(0o600)


def test_size_limit_on_a_50_mb_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: instant to create
        handle.truncate(50_000_000)
    error = only_error(read(path, limit=20_000_000))
    assert "20,000,000-byte limit" in error.reason
    assert "PRECIS_MAX_INPUT_BYTES" in error.reason


def test_size_limit_on_stdin() -> None:
    error = only_error(read("-", limit=1000, stdin=b"word " * 1000))
    assert "limit" in error.reason


def test_gzip_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 50_000_000, compresslevel=9))
    assert path.stat().st_size < 100_000
    error = only_error(read(path, limit=1_000_000))
    assert "decompressed size exceeds" in error.reason


def test_truncated_gzip(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(gzip.compress(ARTICLE.encode() * 50)[:40])
    assert "gzip" in only_error(read(path)).reason


# -- encodings ---------------------------------------------------------------------------


def test_utf8_with_bom() -> None:
    assert decode(b"\xef\xbb\xbf" + FRENCH.encode(), "x") == FRENCH


@pytest.mark.parametrize(("text", "encoding"), [(FRENCH, "latin-1"), (QUOTES, "cp1252")])
def test_legacy_western_encodings_are_detected(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding), "x") == text


def test_declared_html_charset_is_honoured() -> None:
    page = f'<html><head><meta charset="windows-1252"></head><body><p>{QUOTES}</p></body></html>'
    assert QUOTES in decode(page.encode("cp1252"), "x")


def test_undecodable_bytes_are_refused_clearly() -> None:
    noise = bytes(range(1, 32)) * 40 + bytes(range(128, 256)) * 8
    with pytest.raises(InputError, match=r"binary|could not be detected"):
        decode(noise, "noise.txt")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Zażółć gęślą jaźń, powiedział burmistrz w poniedziałek wieczorem.", "cp1250"),
        ("Мэр города заявил в понедельник, что бюджет будет принят.", "cp1251"),
        ("Café news\n\nThe naïve “plan” cost €5 – critics said so.", "cp1252"),
    ],
)
def test_short_legacy_texts(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding), "x") == text


def test_a_record_without_text_or_html_names_the_keys_it_has() -> None:
    """A corpus that keeps its body under another name ("article") says so at once."""
    item = parse_record({"id": "b/1", "title": "T", "article": "Body."}, "c.jsonl:1")
    assert isinstance(item, InputError)
    assert (
        item.reason
        == "needs a non-empty 'text' or 'html' string; its keys: 'id', 'title', 'article'"
    )
    empty = parse_record({"text": "  ", "title": "T"}, "c.jsonl:2")
    assert isinstance(empty, InputError)
    assert empty.reason == "needs a non-empty 'text' or 'html' string"
    many = parse_record({f"k{i}": i for i in range(10)}, "c.jsonl:3")
    assert isinstance(many, InputError)
    assert many.reason.endswith("'k7' and 2 more")


def test_files_of_no_known_type_in_a_directory_are_named_not_silently_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "story.txt").write_text("Headline\n\nA sentence of the story.", encoding="utf-8")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / ".hidden.pdf").write_bytes(b"%PDF-1.4")  # hidden files go unmentioned
    with caplog.at_level(logging.WARNING, logger="precis.ingest.files"):
        items = list(read_inputs([str(tmp_path)], 1_000_000))
    assert len(items) == 1
    assert isinstance(items[0], RawDocument)
    assert caplog.messages == [f"{tmp_path}: skipped 3 files of no known type (1 .docx, 2 .pdf)"]
    (tmp_path / "b.pdf").unlink()
    (tmp_path / "notes.docx").unlink()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="precis.ingest.files"):
        list(read_inputs([str(tmp_path)], 1_000_000))
    assert caplog.messages == [f"{tmp_path}: skipped 1 file of no known type (1 .pdf)"]
