"""``precis export``/``precis import``: lossless JSONL round trips between backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

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


def fill_everything(url: str, tmp_path: Path) -> None:
    """Stories (with a user correction), a feed with entries, and an entity analysis."""
    from precis.entities.model import Analysis, Mention, Statement
    from precis.store.entities import save_analysis
    from precis.store.feeds import add_feed, record_entry
    from precis.store.stories import StoryStore
    from test_batch_stories import corpus

    records = [r for r in corpus()[0] if int(r["url"].rsplit("/", 1)[1]) < 6]
    path = tmp_path / "stories.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert Precis(url)("add", "-q", str(path)).exit_code == 0
    with Store.open(url) as store:
        stories = StoryStore(store)
        listed = stories.list(limit=10)
        stories.merge(listed[0].id, listed[1].id)  # a correction: corrected + pinned
        feed = add_feed(store, "https://feeds.example/rss", "Example", 900)
        record_entry(store, feed.id, "entry-1", 1, None)
        record_entry(store, feed.id, "entry-2", None, "HTTP 500")
        article = store.get(2)
        start = article.text.index(" ") + 1
        mention = Mention(start, start + 4, article.text[start : start + 4], "Kalo Mir", "person")
        said = Statement("Kalo Mir", "person", "said", article.text[:20], 0, 20, True)
        save_analysis(store, 2, article.content_hash, "test-model", Analysis((mention,), (said,)))


def partition_of(url: str) -> set[tuple[frozenset[str], bool]]:
    from precis.store.stories import StoryStore

    with Store.open(url) as store:
        stories = StoryStore(store)
        views = [stories.get(s.id) for s in stories.list(limit=100)]
        hashes = {a.id: a.content_hash for a in store.iter_all()}
        return {(frozenset(hashes[a.id] for a in v.articles), v.corrected) for v in views}


def totals_of(url: str) -> tuple[float, int]:
    from precis.store.storyindex import density_totals

    with Store.open(url) as store, store.engine.connect() as conn:
        total, count = density_totals(conn)
        return round(total, 9), count


def test_round_trip_keeps_stories_feeds_and_entities(tmp_path: Path, postgres_url: str) -> None:
    first, last = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    fill_everything(first, tmp_path)
    dumps = [tmp_path / f"{n}.jsonl" for n in range(3)]
    assert Precis(first)("export", "-o", str(dumps[0])).exit_code == 0
    for url, dump, again in ((postgres_url, dumps[0], dumps[1]), (last, dumps[1], dumps[2])):
        result = Precis(url)("import", str(dump))
        assert result.exit_code == 0, result.output
        assert Precis(url)("export", "-o", str(again)).exit_code == 0
    kinds = {json.loads(line)["type"] for line in dumps[0].read_text().splitlines()}
    assert kinds >= {"story", "feed", "feed_entry", "entity", "entity_analysis"}
    assert dumps[0].read_text() == dumps[1].read_text() == dumps[2].read_text()
    assert partition_of(first) == partition_of(postgres_url) == partition_of(last)
    # every original's best partners travel (by content hash), and with them the
    # density totals: the same in all three databases
    story_records = [json.loads(line) for line in dumps[0].read_text().splitlines()]
    members = [m for r in story_records if r["type"] == "story" for m in r["members"]]
    assert all(m["partners"] for m in members if m["duplicate_of"] is None)
    assert all(m["partners"] is None for m in members if m["duplicate_of"] is not None)
    assert totals_of(first) == totals_of(postgres_url) == totals_of(last)
    assert totals_of(last)[1] == sum(m["duplicate_of"] is None for m in members)
    assert any(corrected for _, corrected in partition_of(last))
    again = Precis(last)("import", str(dumps[0]))  # a second import adds nothing
    assert "0 of 2 feed entries, 0 of 1 entity, 0 of 1 entity analysis, 0 of" in again.stderr
    assert dumps[0].read_text().count('"type": "story"') == len(partition_of(last))
    with Store.open(last) as store:  # the derived story index was rebuilt on import
        from precis.store.schema import story_df, story_postings

        with store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(story_postings)).scalar()
            assert conn.execute(sa.select(story_df.c.df).where(story_df.c.key == "#docs")).scalar()


def test_story_reindex_rebuilds_the_same_index(tmp_path: Path) -> None:
    from precis.store.schema import story_df, story_lsh, story_postings

    url = f"sqlite:///{tmp_path / 'a.db'}"
    fill_everything(url, tmp_path)

    def index() -> list[object]:
        with Store.open(url) as store, store.engine.connect() as conn:
            return [
                sorted(conn.execute(sa.select(t)).all())
                for t in (story_df, story_lsh, story_postings)
            ]

    before = index()
    result = Precis(url)("story", "reindex")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("indexed ")
    after = index()
    assert after[:2] == before[:2]  # frequencies and buckets do not depend on order
    assert {k for k, _ in after[2]} <= {k for k, _ in before[0]}  # postings: known keys


def test_export_never_names_a_deleted_partner(tmp_path: Path) -> None:
    """A member whose best partner was deleted since (``precis rm`` leaves the partners
    other members keep) is exported without partners, so an import files it as having the
    mean density instead of naming an article the file does not hold."""
    from precis.store.schema import story_articles

    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    fill_everything(first, tmp_path)
    with Store.open(first) as store, store.engine.connect() as conn:
        kept_by = dict(
            conn.execute(sa.select(story_articles.c.article_id, story_articles.c.partners)).all()
        )
        hash_of = {a.id: a.content_hash for a in store.iter_all()}
    gone = int(next(iter(next(p for p in kept_by.values() if p))))
    orphaned = {hash_of[a] for a, p in kept_by.items() if p and str(gone) in p and a != gone}
    assert orphaned
    assert Precis(first)("rm", str(gone)).exit_code == 0
    dump = tmp_path / "dump.jsonl"
    assert Precis(first)("export", "-o", str(dump)).exit_code == 0
    records = [json.loads(line) for line in dump.read_text().splitlines()]
    stored = {r["content_hash"] for r in records if r["type"] == "article"}
    members = [m for r in records if r["type"] == "story" for m in r["members"]]
    assert all(m["partners"] is None for m in members if m["content_hash"] in orphaned)
    assert all(set(m["partners"] or ()) <= stored for m in members)
    assert Precis(second)("import", str(dump)).exit_code == 0
    kept = sum(m["partners"] is not None for m in members)
    assert totals_of(second)[1] == kept
