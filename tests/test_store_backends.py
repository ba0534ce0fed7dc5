"""The storage suite on both backends: SQLite and a real PostgreSQL server."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import SAMPLES, Precis
from precis.errors import NotFound
from precis.models import Article
from precis.store import Store

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def make(n: int, **overrides: object) -> Article:
    fields: dict[str, object] = {
        "title": f"Article {n}",
        "text": f"Body of article number {n}. It has a second sentence about topic {n}.",
        "url": f"https://example.org/a/{n}",
        "source": "Alpha" if n % 2 else "Beta",
        "published": T0 + timedelta(hours=n),
        "raw": f"<p>raw {n}</p>",
        "raw_type": "html",
        "origin": f"test:{n}",
    }
    fields.update(overrides)
    return Article(**fields)  # type: ignore[arg-type]


def test_add_then_get_round_trips_every_field(any_store: Store) -> None:
    article = make(1, author="A. Writer", external_id="ext-1")
    added = any_store.add(article)
    assert added.created
    stored = any_store.get(added.id)
    assert stored.article == article
    assert stored.ingested_at.tzinfo is not None


def test_same_url_or_same_text_is_not_added_twice(any_store: Store) -> None:
    first = any_store.add(make(1))
    again = any_store.add(make(1))
    assert (again.id, again.created, again.reason) == (first.id, False, "same url")
    retext = any_store.add(make(1, url="https://example.org/other", text=make(1).text.upper()))
    assert (retext.id, retext.created, retext.reason) == (first.id, False, "same content")
    assert any_store.count() == 1


def test_list_is_newest_first_and_filters(any_store: Store) -> None:
    for n in range(6):
        any_store.add(make(n))
    any_store.add(make(99, published=None))
    titles = [s.title for s in any_store.list()]
    assert titles == ["Article 5", "Article 4", "Article 3", "Article 2", "Article 1", "Article 0", "Article 99"]  # fmt: skip
    alpha = any_store.list(source="Alpha")
    assert [s.title for s in alpha] == ["Article 5", "Article 3", "Article 1", "Article 99"]
    window = any_store.list(since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=4))
    assert [s.title for s in window] == ["Article 3", "Article 2"]
    assert [s.title for s in any_store.list(limit=2, offset=1)] == ["Article 4", "Article 3"]
    assert any_store.count(source="Beta") == 3
    assert any_store.sources() == [("Alpha", 4), ("Beta", 3)]


def test_delete_removes_article_and_its_summaries(any_store: Store) -> None:
    added = any_store.add(make(1))
    digest = any_store.get(added.id).content_hash
    any_store.cache_summary(added.id, "lead", "s3", digest, [{"index": 0}])
    any_store.delete(added.id)
    with pytest.raises(NotFound):
        any_store.get(added.id)
    with pytest.raises(NotFound):
        any_store.delete(added.id)
    with any_store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM summaries")).scalar_one() == 0


def test_summary_cache_is_keyed_and_invalidated_by_text(any_store: Store) -> None:
    added = any_store.add(make(1))
    digest = any_store.get(added.id).content_hash
    assert any_store.cached_summary(added.id, "lead", "s3", digest) is None
    payload = [{"index": 0, "text": "Body.", "start": 0, "end": 5}]
    any_store.cache_summary(added.id, "lead", "s3", digest, payload)
    assert any_store.cached_summary(added.id, "lead", "s3", digest) == payload
    assert any_store.cached_summary(added.id, "lead", "s2", digest) is None
    any_store.cache_summary(added.id, "lead", "s3", digest, [{"index": 1}])  # upsert
    assert any_store.cached_summary(added.id, "lead", "s3", digest) == [{"index": 1}]
    any_store.replace_text(added.id, make(1, text="Entirely new text here."))
    fresh = any_store.get(added.id).content_hash
    assert fresh != digest
    assert any_store.cached_summary(added.id, "lead", "s3", fresh) is None


def test_iter_all_pages_through_everything(any_store: Store) -> None:
    for n in range(7):
        any_store.add(make(n))
    assert [s.title for s in any_store.iter_all(batch=3)] == [f"Article {n}" for n in range(7)]


def test_migrations_reach_head_and_reopen_is_a_no_op(backend_url: str) -> None:
    with Store.open(backend_url) as store:
        assert store.revision() == store.head_revision()
        store.add(make(1))
    with Store.open(backend_url) as again:
        again.migrate()
        assert again.revision() == again.head_revision()
        assert again.count() == 1


def test_migrate_from_an_empty_unmigrated_database(backend_url: str) -> None:
    with Store.open(backend_url, migrate=False) as store:
        assert store.revision() == ()
        store.migrate()
        assert store.revision() == store.head_revision()


# -- concurrent ingest -----------------------------------------------------------------------
WRITERS = 4
PER_WRITER = 30
OVERLAP = 10  # each writer's first articles are shared with its neighbour's last ones


def _writer_ids(worker: int) -> list[int]:
    start = worker * (PER_WRITER - OVERLAP)
    return list(range(start, start + PER_WRITER))


def _ingest_worker(url: str, worker: int) -> int:
    created = 0
    with Store.open(url, migrate=False) as store:
        for n in _writer_ids(worker):
            # the same article under a second URL must dedupe by content, too
            created += store.add(make(n)).created
            created += store.add(make(n, url=f"https://mirror.example/{n}")).created
    return created


def test_concurrent_ingest_loses_nothing_and_duplicates_nothing(backend_url: str) -> None:
    with Store.open(backend_url):
        pass  # migrate once, before the writers start
    expected = sorted({n for w in range(WRITERS) for n in _writer_ids(w)})
    context = multiprocessing.get_context("fork")  # fork: no re-import per writer
    with context.Pool(WRITERS) as pool:
        created = pool.starmap(_ingest_worker, [(backend_url, w) for w in range(WRITERS)])
    assert sum(created) == len(expected)
    with Store.open(backend_url, migrate=False) as store:
        assert store.count() == len(expected)
        titles = sorted(int(s.title.split()[1]) for s in store.iter_all())
    assert titles == expected


# -- concurrent story assignment ------------------------------------------------------------
def _ingest_samples_worker(url: str, worker: int) -> str:
    """Ingest two of every WRITERS sample files (shared with the neighbouring worker), one
    ``precis add`` at a time: each call stores its article and assigns it to a story."""
    from precis.config import Settings
    from precis.pipeline import ingest

    files = sorted(SAMPLES.iterdir())
    mine = [f for i, f in enumerate(files) if i % WRITERS in (worker, (worker + 1) % WRITERS)]
    try:
        with Store.open(url, migrate=False) as store:
            for path in mine:
                ingest(store, [str(path)], Settings.load({}, database_url=url))
    except Exception as exc:  # reported to the test, which names it
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def test_concurrent_adds_assign_every_article_once_and_keep_the_index_whole(
    backend_url: str,
) -> None:
    """Processes storing and assigning at once (a feed poller beside a ``precis add``)
    must neither fail nor leave the story index inconsistent: assignments are
    serialised (``Store.serialised``), so each sees the others' stories."""
    from precis.cluster import density
    from precis.store.schema import stories, story_articles, story_df
    from precis.store.storyindex import DOC_COUNT_KEY, density_totals

    with Store.open(backend_url):
        pass
    context = multiprocessing.get_context("fork")
    with context.Pool(WRITERS) as pool:
        outcomes = pool.starmap(_ingest_samples_worker, [(backend_url, w) for w in range(WRITERS)])
    assert outcomes == ["ok"] * WRITERS
    with Store.open(backend_url, migrate=False) as store, store.engine.connect() as conn:
        article_count = store.count()
        members = conn.execute(sa.select(story_articles)).all()
        df = {r.key: r.df for r in conn.execute(sa.select(story_df.c.key, story_df.c.df))}
        story_ids = set(conn.execute(sa.select(stories.c.id)).scalars())
        totals = density_totals(conn)
    assert article_count >= len(list(SAMPLES.iterdir()))
    assert sorted(m.article_id for m in members) == sorted({m.article_id for m in members})
    assert len(members) == article_count  # every article placed, none twice
    assert story_ids == {m.story_id for m in members}  # no story left empty
    originals = [m for m in members if m.duplicate_of is None]
    expected: dict[str, int] = {DOC_COUNT_KEY: len(originals)}
    for member in originals:
        for key in member.key_counts:
            expected[key] = expected.get(key, 0) + 1
    assert {k: v for k, v in df.items() if v} == expected
    # the density totals are those of the members' partners (precis.cluster.density)
    known = [m.partners for m in originals if m.partners is not None]
    assert totals[1] == len(known) == len(originals)
    assert totals[0] == pytest.approx(sum(density.density(p.values()) for p in known))


def test_a_serialised_writer_waits_then_says_who_holds_the_database(
    backend_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from precis.errors import StoreError
    from precis.store import db

    monkeypatch.setattr(db, "SERIAL_LOCK_WAIT_S", 1)
    with Store.open(backend_url) as holder, Store.open(backend_url, migrate=False) as waiter:
        refused = pytest.raises(StoreError, match="another precis process held the database")
        with holder.serialised(), refused, waiter.serialised():
            pass
        with waiter.serialised() as conn:  # free again once the holder commits
            assert conn.execute(sa.select(sa.literal(1))).scalar() == 1


def test_cli_commands_work_on_each_backend(backend_url: str, tmp_path: Path) -> None:
    """add, ls, show, summarize (cached on the second call), rm, info, migrate."""
    corpus = tmp_path / "in.jsonl"
    lines = [
        {
            "title": f"Story {n}",
            "text": make(n).text + " A third sentence closes it.",
            "url": f"https://e.org/{n}",
            "source": "Alpha",
            "published": f"2024-03-0{n + 1}T10:00:00Z",
        }
        for n in range(3)
    ]
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    precis = Precis(backend_url)
    assert precis("add", str(corpus)).exit_code == 0
    assert "0 added, 3 already stored" in precis("add", str(corpus)).output
    listed = json.loads(precis("ls", "--format", "json").stdout)
    assert [a["title"] for a in listed] == ["Story 2", "Story 1", "Story 0"]
    first = precis("summarize", "1", "--format", "json", "-s", "1")
    assert first.exit_code == 0, first.output
    assert precis("summarize", "1", "--format", "json", "-s", "1").stdout == first.stdout
    assert "Story 0" in precis("show", "1").stdout
    assert precis("rm", "1").exit_code == 0
    assert json.loads(precis("info", "--format", "json").stdout)["articles"] == 2
    assert precis("migrate").exit_code == 0


def test_plain_postgresql_urls_use_psycopg(postgres_url: str) -> None:
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    assert plain.startswith("postgresql://")
    with Store.open(plain) as store:
        assert store.dialect == "postgresql"
        assert store.engine.url.drivername == "postgresql+psycopg"


def test_story_index_reads_more_stories_than_one_statement_may_name(any_store: Store) -> None:
    """A large batch touches tens of thousands of stories; PostgreSQL takes at most
    65,535 parameters a statement, so the story index asks in chunks."""
    from precis.config import Settings
    from precis.pipeline import story_store
    from precis.store.storyindex import DbIndex

    first, second = any_store.add(make(1)), any_store.add(make(2))
    stories = story_store(any_store, Settings.load({}))
    stories.assign()
    into = stories.story_of(first.id)
    other = stories.story_of(second.id)
    if other != into:
        stories.merge(into, other)
    else:
        stories.split(into, [second.id])
    many = [str(into), *(str(n) for n in range(10**7, 10**7 + 70_000))]
    with any_store.engine.connect() as conn:
        index = DbIndex(conn)
        assert index.locked(many) == {str(into)}
        assert {m.id for m in index.originals(many)[str(into)]} >= {str(first.id)}
        assert index.story_sizes(many)[str(into)] >= 1


def test_articles_added_one_at_a_time_are_weighed_again_and_regrouped(
    any_store: Store,
) -> None:
    """The revisit path on both backends: articles assigned one per call, in a store
    small enough that every earlier member goes stale, are weighed again, re-filed and
    re-grouped, and end in the stories one batch run gives them."""
    from precis.store.schema import story_articles, story_postings
    from precis.store.stories import StoryStore
    from test_stories import FERRY_AND_OTHERS, store_and_batch_stories

    texts = FERRY_AND_OTHERS
    stories = StoryStore(any_store)
    ids = {}
    for n, (name, (title, text)) in enumerate(texts.items()):
        ids[name] = any_store.add(Article(title=title, text=text, url=f"https://f{n}.test/")).id
        stories.assign([ids[name]])
    in_store, in_batch = store_and_batch_stories(stories, ids)
    assert in_store == in_batch
    with any_store.engine.connect() as conn:
        rows = conn.execute(sa.select(story_articles.c.article_id, story_articles.c.weighed_docs))
        weighed = {r.article_id: r.weighed_docs for r in rows}
        filed = {int(a) for a in conn.execute(sa.select(story_postings.c.article_id)).scalars()}
    assert weighed[ids[next(iter(texts))]] > 1  # the first article was weighed again
    assert filed == set(ids.values())  # re-filing left every article in the index
