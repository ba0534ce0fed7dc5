"""``precis export``/``precis import``: lossless JSONL round trips between backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from conftest import Precis
from precis.models import Article
from precis.store import Store

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def fill(url: str) -> None:
    with Store.open(url) as store:
        for n in range(25):
            store.add(
                Article(
                    title=f"Título {n} — “quoted”",
                    text=f"Paragraph one of story {n}.\nParagraph two, with ünïcode {n}.",
                    url=None if n % 5 == 0 else f"https://news.example/{n}",
                    source=["Alpha", "Beta", None][n % 3],
                    author="Ann" if n % 2 else None,
                    published=None if n % 7 == 0 else T0 + timedelta(minutes=n),
                    external_id=f"x{n}" if n % 4 == 0 else None,
                    raw=f"<html><p>raw {n}</p></html>" if n % 2 else None,
                    raw_type="html" if n % 2 else "text",
                    origin=f"corpus.jsonl:{n}",
                )
            )
        first = store.get(1)
        store.cache_summary(1, "lead", "s2", first.content_hash, [{"index": 0, "text": "x"}])
        store.cache_summary(2, "lead", "s2", "stale-hash", [{"index": 1}])  # not exported
        store.delete(3)  # a gap in the ids


def snapshot(url: str) -> list[tuple[object, ...]]:
    with Store.open(url) as store:
        return [(s.article, s.content_hash, s.ingested_at) for s in store.iter_all()]


def test_round_trip_sqlite_postgresql_sqlite(tmp_path: Path, postgres_url: str) -> None:
    first, last = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    fill(first)
    dump_a, dump_b, dump_c = (tmp_path / name for name in ("a.jsonl", "b.jsonl.gz", "c.jsonl"))
    result = Precis(first)("export", "--out", str(dump_a))
    assert result.exit_code == 0, result.output
    assert "24 articles, 1 summary" in result.stderr
    for url, dump, again in ((postgres_url, dump_a, dump_b), (last, dump_b, dump_c)):
        result = Precis(url)("import", str(dump))
        assert result.exit_code == 0, result.output
        assert Precis(url)("export", "-o", str(again)).exit_code == 0
    assert snapshot(first) == snapshot(postgres_url) == snapshot(last)
    assert dump_a.read_text() == dump_c.read_text()
    with Store.open(last) as store:
        stored = store.list(limit=100)[-1]
        assert store.cached_summary(1, "lead", "s2", store.get(1).content_hash) is not None
        assert stored.ingested_at.tzinfo is not None


def test_import_twice_is_a_no_op_and_stdout_works(tmp_path: Path) -> None:
    source, target = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    fill(source)
    dump = Precis(source)("export").stdout
    assert json.loads(dump.splitlines()[0])["type"] == "precis-export"
    assert Precis(target)("import", "-", input=dump).exit_code == 0
    again = Precis(target)("import", "-", input=dump)
    assert again.exit_code == 0
    assert "0 of 24 articles" in again.stderr
    assert snapshot(source) == snapshot(target)


def test_import_into_a_database_with_other_articles_keeps_references(tmp_path: Path) -> None:
    source, target = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    fill(source)
    with Store.open(target) as store:
        store.add(Article(title="Already here", text="Some unrelated text."))
    assert Precis(target)("import", "-", input=Precis(source)("export").stdout).exit_code == 0
    with Store.open(target) as store:
        assert store.count() == 25
        moved = store.get(2)  # id 1 in the source is id 2 here
        assert store.cached_summary(2, "lead", "s2", moved.content_hash) == [
            {"index": 0, "text": "x"}
        ]


def test_bad_input_is_one_line_error(tmp_path: Path, precis: Precis) -> None:
    result = precis("import", "-", input='{"type": "article"}\n')
    assert result.exit_code == 1
    assert "not a precis export" in result.output
    header = json.dumps({"type": "precis-export", "version": 1, "schema": []})
    result = precis("import", "-", input=header + '\n{"type": "gadget"}\n')
    assert result.exit_code == 1
    assert "unknown record type 'gadget'" in result.output
    result = precis("import", str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 1
    assert "cannot be opened" in result.output


def test_datetimes_keep_their_instant(tmp_path: Path) -> None:
    source, target = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    when = datetime(2024, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    with Store.open(source) as store:
        store.add(Article(title="t", text="Late night text.", published=when))
    Precis(target)("import", "-", input=Precis(source)("export").stdout)
    with Store.open(target) as store:
        assert store.get(1).article.published == when
