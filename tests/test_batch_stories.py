"""Stories from ``precis batch`` equal stories from ``precis add``, and ``precis load`` keeps them.

The corpus: synthetic events, each reported by several outlets in their own wording (one
template per outlet, a different subset of the event's details each time), plus wire
copies; the gold partition is known. Its invented words are so distinctive that the
stories come out the same whatever the document frequencies, so it checks the order
independence of assignment but not that the store weighs articles as batch clustering
does; the bundled sample corpus (real English, where "council" or "budget" are shared
by several stories) checks that: ``test_one_add_of_the_samples_equals_their_batch``.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import SAMPLES, Precis
from precis.batch import STORY_FEATURES, read_table
from precis.cluster.density import density
from precis.config import Settings
from precis.models import Article
from precis.pipeline import extract_inputs
from precis.store import Store
from precis.store.db import content_hash
from precis.store.schema import site_paragraphs, story_articles
from precis.store.stories import StoryStore
from precis.store.storyindex import density_totals

SYLLABLES = ["ka", "lo", "mir", "ten", "vas", "qu", "dor", "eli", "pra", "sun", "gha", "wen"]
FILLER = [
    "officials",
    "said",
    "the",
    "plan",
    "would",
    "be",
    "reviewed",
    "next",
    "week",
    "while",
    "residents",
    "waited",
    "for",
    "further",
    "details",
    "and",
    "local",
    "groups",
    "asked",
    "for",
    "more",
    "information",
    "about",
    "costs",
]
OUTLETS = ["Daily Ledger", "Metro Wire", "Valley Times", "Coast Post", "Evening Star"]
TEMPLATES = [
    "{P} said on {day} that the {a} and the {b} in {L} would change after {n} {c}.",
    "In {L}, the {b} became the centre of a dispute, {P} told reporters; {n} {c} were counted.",
    "The {a} in {L} drew {n} {c}, according to {P}, who also spoke about the {d}.",
    "{P} confirmed the {d} and the {a} near {L} on {day}, with {n} {c} reported.",
    "A row over the {b} and the {d} in {L} deepened as {P} cited {n} {c}.",
]
EVENTS = 60


def word(rng: random.Random) -> str:
    return "".join(rng.choices(SYLLABLES, k=3))


def corpus(seed: int = 5) -> tuple[list[dict[str, Any]], list[set[str]]]:
    """Records (JSONL-ready) and the gold stories as sets of URLs."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    gold: list[set[str]] = []
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for e in range(EVENTS):
        person = f"{word(rng).title()} {word(rng).title()}"
        place = word(rng).title() + "ville"
        details = [word(rng) for _ in range(8)]
        number = str(rng.randint(100, 9999))
        when = start + timedelta(days=e * 2, hours=rng.randint(0, 10))
        story: set[str] = set()
        outlets = rng.sample(range(len(OUTLETS)), rng.randint(2, 5))
        for o in outlets:
            picked = rng.sample(details, 6)
            fields = dict(
                P=person, L=place, n=number, day=when.strftime("%A"),
                a=picked[0], b=picked[1], c=picked[2], d=picked[3],
            )  # fmt: skip
            sentences = [t.format(**fields) for t in rng.sample(TEMPLATES, 3)]
            sentences.append(" ".join(rng.sample(FILLER, 10)).capitalize() + ".")
            sentences.append(f"The {picked[4]} and {picked[5]} were also mentioned by {person}.")
            rng.shuffle(sentences)
            url = f"https://{OUTLETS[o].split()[0].lower()}.example/{e}"
            records.append(
                {
                    "title": f"{person} on the {picked[0]} in {place}",
                    "text": "\n\n".join(" ".join(sentences[i : i + 2]) for i in range(0, 5, 2)),
                    "url": url,
                    "source": OUTLETS[o],
                    "published": (when + timedelta(hours=o * 3)).isoformat(),
                }
            )
            story.add(url)
        if e % 8 == 0:  # a wire copy: the text plus a credit line, another outlet's URL
            text = records[-1]["text"] + "\n\nDistributed by the Syndicate news agency."
            copy = dict(
                records[-1], text=text, url=f"https://syndicate.example/{e}", source="Syndicate"
            )
            records.append(copy)
            story.add(copy["url"])
        gold.append(story)
    return records, gold


def partition(pairs: list[tuple[str, str]]) -> set[frozenset[str]]:
    """(member, story) pairs -> the set of stories, each a frozenset of members."""
    grouped: dict[str, set[str]] = defaultdict(set)
    for member, story in pairs:
        grouped[story].add(member)
    return {frozenset(g) for g in grouped.values()}


def stored_partition(url: str) -> set[frozenset[str]]:
    """Stories of a database, members named by content hash."""
    with Store.open(url) as store:
        stories = StoryStore(store)
        pairs = [(a.content_hash, str(stories.story_of(a.id))) for a in store.iter_all()]
    return partition(pairs)


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """`precis batch` on a 2-worker in-process cluster, once for the module."""
    root = tmp_path_factory.mktemp("batch")
    records, _ = corpus()
    (root / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    result = Precis(f"sqlite:///{root / 'unused.db'}")(
        "batch", str(root / "corpus.jsonl"), "--out", str(root / "out"),
        "--workers", "2", "--in-process", "-q", "--partition-mb", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "stories" in result.stderr
    return root / "out", records


def test_batch_stories_equal_adding_articles_one_by_one(
    tmp_path: Path, batch_run: tuple[Path, list[dict[str, Any]]]
) -> None:
    out, records = batch_run
    members = list(read_table(out, "story_articles"))
    # the per-article story work was done in the map stage, once per article
    features = list(read_table(out, STORY_FEATURES))
    assert len(features) == len(list(read_table(out, "articles")))
    assert all(f["bands"] and f["keys"] and f["paragraphs"] for f in features)
    batch = partition([(m["content_hash"], m["story"]) for m in members])
    # the gold stories, in content hashes: the clustering itself must be right here
    _, gold_urls = corpus()
    by_url = {r["url"]: content_hash(r["text"]) for r in records}
    gold = {frozenset(by_url[u] for u in story) for story in gold_urls}
    assert batch == gold
    # `precis add`, in a shuffled order: the first articles one per command, then in runs
    db = f"sqlite:///{tmp_path / 'one.db'}"
    precis = Precis(db)
    shuffled = records[:]
    random.Random(3).shuffle(shuffled)
    chunks = [shuffled[i : i + 1] for i in range(20)]
    chunks += [shuffled[i : i + 25] for i in range(20, len(shuffled), 25)]
    for n, chunk in enumerate(chunks):
        path = tmp_path / f"part{n}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in chunk))
        assert precis("add", "-q", str(path)).exit_code == 0
    assert stored_partition(db) == batch
    # independent sources: the wire copy does not count
    rows = {r["story"]: r for r in read_table(out, "stories")}
    assert len(rows) == EVENTS
    copied = next(m for m in members if m["duplicate_of"] is not None)
    story = rows[copied["story"]]
    assert story["independent_sources"] == story["articles"] - 1
    assert "Syndicate" not in story["sources"]


def test_load_gives_the_same_stories_and_later_adds_join_them(
    tmp_path: Path, backend_url: str, batch_run: tuple[Path, list[dict[str, Any]]]
) -> None:
    out, records = batch_run
    batch = partition([(m["content_hash"], m["story"]) for m in read_table(out, "story_articles")])
    precis = Precis(backend_url)
    first = precis("load", str(out))
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["stories"] == EVENTS
    assert stored_partition(backend_url) == batch
    assert json.loads(precis("load", str(out)).stdout)["stories"] == 0  # idempotent
    # loaded originals keep the batch's best partners (by article id), copies none, and
    # the density totals hold the loaded originals' densities
    loaded = [m for m in read_table(out, "story_articles") if m["duplicate_of"] is None]
    with Store.open(backend_url) as store, store.engine.connect() as conn:
        by_hash = {a.content_hash: a.id for a in store.iter_all()}
        partners = dict(
            conn.execute(sa.select(story_articles.c.article_id, story_articles.c.partners)).all()
        )
        loaded_totals = density_totals(conn)
        # every loaded article's paragraphs are filed under its site (its URL's host)
        filed = conn.execute(
            sa.select(sa.func.count(sa.distinct(site_paragraphs.c.article_id)))
        ).scalar_one()
    assert filed == len(by_hash)
    for member in read_table(out, "story_articles"):
        stored = partners[by_hash[member["content_hash"]]]
        if member["duplicate_of"] is not None:
            assert stored is None
            continue
        batch_partners = json.loads(member["partners"])
        assert batch_partners
        assert stored == {str(by_hash[h]): score for h, score in batch_partners.items()}
    assert loaded_totals[1] == len(loaded)
    assert loaded_totals[0] == pytest.approx(
        sum(density(json.loads(m["partners"]).values()) for m in loaded)
    )
    # the index was filled: a new rewrite of event 0 joins event 0's story
    event0 = [r for r in records if r["url"].endswith("/0")]
    late = dict(
        event0[0],
        url="https://late.example/0",
        source="Late Edition",
        text="\n\n".join(
            [
                event0[0]["text"].split("\n\n")[0],
                event0[1]["text"].split("\n\n")[1],
                "More reporting followed in the evening, a spokesperson for the council said.",
            ]
        ),
    )
    path = tmp_path / "late.jsonl"
    path.write_text(json.dumps(late) + "\n")
    assert precis("add", "-q", str(path)).exit_code == 0
    with Store.open(backend_url) as store:
        stories = StoryStore(store)
        ids = {a.article.url: a.id for a in store.iter_all()}
        assert stories.story_of(ids["https://late.example/0"]) == stories.story_of(
            ids[event0[0]["url"]]
        )
        view = stories.get(stories.story_of(ids[event0[0]["url"]]))
        late_member = next(a for a in view.articles if a.id == ids["https://late.example/0"])
        assert late_member.duplicate_of is None  # joined by similarity, not as a copy
        assert "Late Edition" in view.sources
        # the added article's partners are kept, and it counts in the density totals
        with store.engine.connect() as conn:
            late_partners = conn.execute(
                sa.select(story_articles.c.partners).where(
                    story_articles.c.article_id == ids["https://late.example/0"]
                )
            ).scalar_one()
            assert late_partners
            assert density_totals(conn)[1] == loaded_totals[1] + 1


def test_one_add_of_the_samples_equals_their_batch(tmp_path: Path) -> None:
    """``precis add`` of many articles in one command gives ``precis batch``'s stories
    (before the store weighed each article with the document frequencies of the
    articles assigned before it, the four Riverton budget articles, the first of the
    corpus, became four stories)."""
    extracted = [
        a for a in extract_inputs([str(SAMPLES)], Settings.load({})) if isinstance(a, Article)
    ]
    records = [
        {
            "title": a.title,
            "text": a.text,
            "url": a.url,
            "source": a.source,
            "published": a.published.isoformat() if a.published else None,
        }
        for a in extracted
    ]
    corpus_path = tmp_path / "samples.jsonl"
    corpus_path.write_text("".join(json.dumps(r) + "\n" for r in records))
    precis = Precis(f"sqlite:///{tmp_path / 'one.db'}")
    result = precis(
        "batch", str(corpus_path), "--out", str(tmp_path / "out"), "--workers", "1",
        "--in-process", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    batch = partition(
        [(m["content_hash"], m["story"]) for m in read_table(tmp_path / "out", "story_articles")]
    )
    assert len(batch) < len(records)
    added = precis("add", "-q", str(SAMPLES))
    assert added.exit_code == 0, added.output
    assert stored_partition(f"sqlite:///{tmp_path / 'one.db'}") == batch
