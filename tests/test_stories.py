"""Stories: near-duplicates, assignment, corrections, story summaries, batch commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from unittest.mock import patch

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from precis.cluster import ArticleInput, cluster
from precis.cluster.assign import prepare
from precis.cluster.dedup import find_copies, is_copy, shingles
from precis.cluster.storysum import SourceArticle, summarize_story
from precis.config import Settings
from precis.errors import NotFound, PrecisError
from precis.models import Article
from precis.pipeline import assign_stories, story_store
from precis.store import Store, storyregroup
from precis.store.schema import story_articles, story_df
from precis.store.stories import StoryStore
from precis.store.storyindex import DOC_COUNT_KEY, DbIndex
from precis.summarize import Length

KERRY_A = (
    "Trump slams Kerry over Iran deal",
    "President Trump on Monday slammed former Secretary of State John Kerry for working "
    "to save the Iran nuclear deal. Kerry met European leaders three times last month.",
)
KERRY_B = (
    "Trump castigates Kerry for shadow diplomacy",
    "President Trump on Monday castigated John Kerry over shadow diplomacy to preserve "
    "the Iran nuclear deal. The former secretary of state met European leaders in Paris.",
)
FLOOD = (
    "Floods hit Valencia",
    "Heavy floods hit Valencia in Spain on Tuesday, killing 12 people and cutting power "
    "to thousands of homes. Rescue teams searched for survivors near the river.",
)
FLOOD_B = (
    "Deadly floods in Spain",
    "At least 12 people died when floods swept through Valencia in eastern Spain on "
    "Tuesday, leaving thousands of homes without power as rescue teams searched.",
)
WIRE = (
    "Central bank cuts rates",
    "The central bank cut its main interest rate by a quarter point to 3.5 per cent on "
    "Wednesday, citing slowing growth and easing inflation across the economy. Governor "
    "Ana Ruiz said further cuts were possible if prices kept falling next year.",
)


STORED_COPIES = 120


def _inputs(*items: tuple[str, str], prefix: str = "a") -> list[ArticleInput]:
    return [ArticleInput(f"{prefix}{i}", text, title) for i, (title, text) in enumerate(items)]


def _stories(result: list[object]) -> list[set[str]]:
    groups: dict[str, set[str]] = {}
    for item in result:
        groups.setdefault(item.story, set()).add(item.id)  # type: ignore[attr-defined]
    return sorted(groups.values(), key=sorted)


def test_rewrites_of_one_event_share_a_story_and_other_events_do_not() -> None:
    result = cluster(_inputs(KERRY_A, FLOOD, KERRY_B, FLOOD_B))
    assert _stories(result) == [{"a0", "a2"}, {"a1", "a3"}]
    joined = next(r for r in result if r.explanation)
    assert "shared" in joined.explanation


def test_article_with_no_words_is_its_own_story() -> None:
    result = cluster(
        [*_inputs(KERRY_A), ArticleInput("empty", "", ""), ArticleInput("p", "…!?", "")]
    )
    assert {r.id: r.story for r in result}["empty"] == "empty"
    assert {r.id: r.story for r in result}["p"] == "p"


def test_story_of_one_article() -> None:
    result = cluster(_inputs(FLOOD))
    assert [(r.id, r.story, r.duplicate_of) for r in result] == [("a0", "a0", None)]
    summary = summarize_story([SourceArticle("a0", FLOOD[1], FLOOD[0], "Outlet")])
    assert summary.overview
    assert summary.common == ()
    assert all(p.sources == ("a0",) for p in summary.overview)


def test_identical_titles_on_different_events_are_not_merged() -> None:
    title = "Council approves budget"
    a = ArticleInput(
        "x",
        "Riverton city council approved a 2027 budget of 84 million dollars on Monday, "
        "raising property taxes by four per cent to fund road repairs.",
        title,
    )
    b = ArticleInput(
        "y",
        "Millbrook's school board voted on Thursday for a budget that closes two libraries "
        "and cuts teacher training, after months of protests by parents.",
        title,
    )
    assert _stories(cluster([a, b])) == [{"x"}, {"y"}]


def test_five_hundred_wire_copies_are_one_story_with_one_independent_source(store: Store) -> None:
    batch = [ArticleInput(f"c{i}", WIRE[1], WIRE[0], source=f"Outlet {i}") for i in range(500)]
    result = cluster(batch)
    assert len({r.story for r in result}) == 1
    assert sum(r.duplicate_of is None for r in result) == 1
    # In the store, copies differ slightly (each outlet appends its own line); fewer of
    # them, to keep the test fast (the batch run above has all 500).
    for i in range(STORED_COPIES):
        text = f"{WIRE[1]}\nDistributed by Outlet {i}."
        store.add(
            Article(title=WIRE[0], text=text, source=f"Outlet {i}", url=f"https://o{i}.test/")
        )
    placed = assign_stories(store, None, Settings.load({}))
    assert len({p.story_id for p in placed}) == 1
    view = story_store(store, Settings.load({})).get(placed[0].story_id)
    assert len(view.articles) == STORED_COPIES
    assert len(view.sources) == 1


def test_containment_finds_trimmed_copy() -> None:
    full = shingles(WIRE[1] + " Extra local paragraph about our own town council and weather.")
    trimmed = shingles(WIRE[1])
    assert is_copy(trimmed, full)
    assert not is_copy(shingles(FLOOD[1]), shingles(FLOOD_B[1]))


def test_find_copies_names_the_earliest_as_original() -> None:
    from precis.cluster.dedup import Doc

    docs = [Doc("late", ("2026-02",), WIRE[1]), Doc("early", ("2026-01",), WIRE[1])]
    assert find_copies(docs) == {"late": "early"}


class _Prepared:
    """Precomputed story features as a batch's workers would give them (some missing)."""

    def __init__(self, articles: list[ArticleInput], skip: set[str]) -> None:
        self.done = {a.id: prepare(a) for a in articles if a.id not in skip}
        self.asked: list[str] = []

    def bands(self, article: ArticleInput) -> list[str] | None:
        found = self.done.get(article.id)
        return found.bands if found else None

    def keys(self, articles: Sequence[ArticleInput]) -> dict[str, dict[str, float]]:
        self.asked += [a.id for a in articles]
        return {a.id: self.done[a.id].keys for a in articles if a.id in self.done}

    def paragraphs(self, article: ArticleInput) -> list[str] | None:
        found = self.done.get(article.id)
        return found.paragraphs if found else None


def test_precomputed_features_give_the_same_stories_as_computing_them() -> None:
    articles = corpus + _inputs(KERRY_A, FLOOD_B, prefix="again")
    expected = [(a.id, a.story, a.duplicate_of, a.score, a.explanation) for a in cluster(articles)]
    prepared = _Prepared(articles, skip={"h1", "again0"})
    got = cluster(articles, precomputed=prepared)
    assert [(a.id, a.story, a.duplicate_of, a.score, a.explanation) for a in got] == expected
    copies = {a.id for a in got if a.duplicate_of}
    assert copies  # the corpus has wire copies, which need no assignment keys
    assert not copies & set(prepared.asked)


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="unique"):
        cluster(_inputs(KERRY_A, prefix="a") + _inputs(FLOOD, prefix="a"))


def test_window_keeps_far_apart_articles_apart() -> None:
    a = ArticleInput("a", KERRY_A[1], KERRY_A[0], published=datetime(2026, 1, 1, tzinfo=UTC))
    b = ArticleInput("b", KERRY_B[1], KERRY_B[0], published=datetime(2026, 3, 1, tzinfo=UTC))
    assert _stories(cluster([a, b])) == [{"a"}, {"b"}]


corpus = _inputs(KERRY_A, KERRY_B, FLOOD, FLOOD_B, WIRE, WIRE, ("", ""), prefix="h")


@settings(max_examples=30, deadline=None)
@given(st.permutations(corpus))
def test_clustering_is_invariant_to_input_order(order: list[ArticleInput]) -> None:
    expected = {r.id: r.story for r in cluster(corpus)}
    assert {r.id: r.story for r in cluster(order)} == expected


def test_article_keys_do_not_depend_on_the_process_hash_seed() -> None:
    """Entities, numbers and headline terms are sets, which iterate in a per-process hash
    order; the keys must come out in one order in every process, or the weights summed
    over them (and the stored scores) change in their last bits from run to run."""
    script = (
        "import json, sys; from precis.cluster.assign import article_keys; "
        "from precis.cluster.features import features; "
        "print(json.dumps(list(article_keys(features(*json.load(sys.stdin))))))"
    )
    names = ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel", "Ivy"]
    title = "Council budget vote splits Alder, Birch and Cedar wards"
    text = " ".join(
        f"Councillor {name} said {n * 7 + 3} homes were at stake." for n, name in enumerate(names)
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            input=json.dumps([title, text]),
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outputs) == 1
    keys = json.loads(outputs.pop())
    assert "e:councillor hazel" in keys
    assert "n:59" in keys


sentence = st.sampled_from(
    [
        "The fire killed 12 people on Monday.",
        "Officials said the fire killed 14 people.",
        "The mayor promised an inquiry into the blaze.",
        "Firefighters fought the blaze for six hours.",
        "Residents were moved to a school gym overnight.",
        "The warehouse stored paint and solvents.",
    ]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(sentence, min_size=0, max_size=4), min_size=1, max_size=4))
def test_story_summary_cites_only_story_articles_verbatim(texts: list[list[str]]) -> None:
    articles = [
        SourceArticle(f"a{i}", " ".join(sents), f"Title {i}", f"Outlet {i % 3}")
        for i, sents in enumerate(texts)
    ]
    by_id = {a.id: a.text for a in articles}
    result = summarize_story(articles, Length(sentences=3))
    points = [*result.overview, *result.common]
    points += [p for ps in result.only_here.values() for p in ps]
    for point in points:
        assert set(point.sources) <= set(by_id)
        assert point.text in by_id[point.sources[0]]
        for article_id, quote in point.quotes.items():
            assert quote in by_id[article_id]
    for disagreement in result.disagreements:
        for article_id, claim in disagreement.claims.items():
            assert claim in by_id[article_id]


def test_story_summary_common_ground_only_here_and_disagreement() -> None:
    articles = [
        SourceArticle("a", "The fire killed 12 people on Monday. Ten trucks came.", "Fire", "A"),
        SourceArticle("b", "The fire killed 14 people on Monday. The owner fled.", "Fire", "B"),
    ]
    result = summarize_story(articles)
    assert any(set(p.sources) == {"a", "b"} for p in result.common)
    assert [p.text for p in result.only_here["B"]] == ["The owner fled."]
    assert result.disagreements
    assert result.disagreements[0].values == {"a": ["12"], "b": ["14"]}


def test_story_summary_of_no_text_is_empty() -> None:
    assert summarize_story([SourceArticle("a", "", "")]).overview == ()


def _seed(store: Store) -> list[int]:
    ids = []
    for i, (title, text) in enumerate([KERRY_A, KERRY_B, FLOOD, FLOOD_B]):
        article = Article(title=title, text=text, source=f"Outlet {i}", url=f"https://x{i}.test/")
        ids.append(store.add(article).id)
    return ids


def test_store_assigns_and_corrections_persist(store: Store) -> None:
    settings_ = Settings.load({})
    ids = _seed(store)
    assign_stories(store, ids, settings_)
    stories = story_store(store, settings_)
    kerry, flood = stories.story_of(ids[0]), stories.story_of(ids[2])
    assert stories.story_of(ids[1]) == kerry != flood
    new = stories.split(kerry, [ids[1]])
    stories.move(ids[3], new)
    later = store.add(
        Article(title=KERRY_A[0], text=KERRY_A[1] + " More.", url="https://late.test/")
    )
    assign_stories(store, [later.id], settings_)
    assert stories.story_of(ids[1]) == new  # pinned articles stay where the user put them
    assert stories.story_of(ids[3]) == new
    assert stories.story_of(later.id) == kerry  # a copy joins its original's story
    assert stories.get(new).corrected
    stories.merge(kerry, new)
    assert {a.id for a in stories.get(kerry).articles} == {ids[0], ids[1], ids[3], later.id}
    with pytest.raises(NotFound):
        stories.get(new)


def test_store_index_gives_members_and_locks_corrected_stories(store: Store) -> None:
    settings_ = Settings.load({})
    ids = _seed(store)
    assign_stories(store, ids, settings_)
    stories = story_store(store, settings_)
    kerry, flood = stories.story_of(ids[0]), stories.story_of(ids[2])
    new = stories.split(kerry, [ids[1]])
    with store.engine.connect() as conn:
        index = DbIndex(conn)
        assert index.locked([str(kerry), str(new), str(flood)]) == {str(kerry), str(new)}
        members = index.members([str(kerry), str(flood)], 30)
        assert {m.id for m in members[str(flood)]} == {str(ids[2]), str(ids[3])}
        assert [m.id for m in members[str(kerry)]] == [str(ids[0])]
        assert members[str(flood)][0].keys  # stored weights come back for scoring
        assert index.members([str(flood)], 1) == {}  # too big to re-check
    # Automatic assignment never merges the two corrected stories back together.
    rewrite = store.add(
        Article(
            title="Trump attacks Kerry over Iran nuclear deal diplomacy",
            text="President Trump attacked John Kerry on Monday for shadow diplomacy with "
            "European leaders to preserve the Iran nuclear deal.",
            url="https://rewrite.test/",
        )
    )
    assign_stories(store, [rewrite.id], settings_)
    assert stories.story_of(ids[0]) == kerry
    assert stories.story_of(ids[1]) == new


def test_corrections_reject_bad_requests(store: Store) -> None:
    settings_ = Settings.load({})
    ids = _seed(store)
    assign_stories(store, None, settings_)
    stories = story_store(store, settings_)
    kerry = stories.story_of(ids[0])
    with pytest.raises(PrecisError, match="into itself"):
        stories.merge(kerry, kerry)
    with pytest.raises(NotFound, match="no story with id 999"):
        stories.merge(kerry, 999)
    with pytest.raises(NotFound):
        stories.move(12345, kerry)
    with pytest.raises(PrecisError, match="not in story"):
        stories.split(kerry, [ids[2]])
    with pytest.raises(PrecisError, match="at least one"):
        stories.split(kerry, [ids[0], ids[1]])
    with pytest.raises(PrecisError, match="already in story"):
        stories.move(ids[0], kerry)


def test_cli_stories_story_and_corrections(precis: object, tmp_path: object) -> None:
    run = precis  # type: ignore[assignment]
    for i, (title, text) in enumerate([KERRY_A, KERRY_B, FLOOD]):
        path = tmp_path / f"{i}.txt"  # type: ignore[operator]
        path.write_text(f"{title}\n\n{text}\n", encoding="utf-8")
        assert run("add", str(path)).exit_code == 0  # type: ignore[operator]
    listing = run("stories", "--format", "json")  # type: ignore[operator]
    stories = json.loads(listing.output)
    assert sorted(s["independent_sources"] for s in stories) == [1, 2]
    big = next(s for s in stories if s["independent_sources"] == 2)["id"]
    text = run("stories").output  # type: ignore[operator]
    assert "2 independent sources, 2 articles (0 copies)" in text
    assert "1 independent source, 1 article (0 copies)" in text
    shown = run("story", str(big), "--summary")  # type: ignore[operator]
    assert shown.exit_code == 0
    assert "Summary:" in shown.output
    assert "shares" in shown.output
    same = run("story", "merge", str(big), str(big))  # type: ignore[operator]
    assert same.exit_code == 1
    assert "into itself" in same.output
    missing = run("story", "424242")  # type: ignore[operator]
    assert missing.exit_code == 1
    assert "no story with id 424242" in missing.output


def test_cli_batch_cluster_and_story_summary(precis: object) -> None:
    run = precis  # type: ignore[assignment]
    lines = [
        {"id": i, "title": t, "text": x, "source": f"S{i}"}
        for i, (t, x) in enumerate([KERRY_A, FLOOD, KERRY_B])
    ]
    out = run("cluster", "--jsonl", "-", input="\n".join(json.dumps(x) for x in lines))  # type: ignore[operator]
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert [r["id"] for r in rows] == [0, 1, 2]  # as given
    assert rows[0]["story"] == rows[2]["story"] != rows[1]["story"]
    record = {
        "id": "s1",
        "articles": [{"id": "a", "text": FLOOD[1]}, {"id": "b", "text": FLOOD_B[1]}],
    }
    out = run("story-summary", "--jsonl", "-", "-s", "1", input=json.dumps(record))  # type: ignore[operator]
    result = json.loads(out.output)
    assert result["id"] == "s1"
    assert len(result["summary"]) == 1
    assert set(result["summary"][0]["sources"]) <= {"a", "b"}
    bad = run("cluster", "--jsonl", "-", input='{"text": "no id"}')  # type: ignore[operator]
    assert bad.exit_code == 1
    assert "needs an 'id'" in bad.output


def test_disagreement_on_a_spelled_out_count_names_the_disputed_numbers() -> None:
    result = summarize_story(
        [
            SourceArticle(
                "a",
                "A five-alarm fire at Pier 9 overnight injured 12 people in Harbor City.",
                source="Herald",
            ),
            SourceArticle(
                "b",
                "Fourteen people were injured, two of them firefighters, in the Harbor City fire.",
                source="Ledger",
            ),
        ]
    )
    assert [d.values for d in result.disagreements] == [{"a": ["12"], "b": ["14", "2"]}]


def test_stored_frequencies_count_only_filed_articles(store: Store) -> None:
    """A batch is weighed with the frequencies of all its articles, but those of articles
    not placed yet never reach the database: after an assignment stops part-way (here:
    only some of the stored articles are assigned), the stored counts are exactly what
    ``rebuild_index`` computes from the filed articles, and a copy is never counted."""
    ids = _seed(store)
    copy = store.add(Article(title=KERRY_A[0], text=KERRY_A[1] + " Wire.", url="https://c.test/"))
    stories = story_store(store, Settings.load({}))
    stories.assign([ids[0], ids[2], copy.id])

    def frequencies() -> dict[str, int]:
        with store.engine.connect() as conn:
            return {r.key: r.df for r in conn.execute(sa.select(story_df))}

    partial = frequencies()
    assert partial[DOC_COUNT_KEY] == 2  # the copy joined its original, not the index
    assert stories.rebuild_index() == 2
    assert frequencies() == partial
    stories.assign()
    assert frequencies()[DOC_COUNT_KEY] == 4


FERRY = {
    "budget": (
        "Harbor council approves ferry budget",
        "The harbor council approved the ferry budget on Monday after a long debate over "
        "fares. Councillors said the ferry service would keep its winter timetable.",
    ),
    "strike": (
        "Ferry workers plan strike over fares",
        "Ferry workers said on Monday they plan a strike over fares and pay. The union said "
        "the ferry service timetable would be cut during the strike.",
    ),
    "date": (
        "Ferry union sets strike date over pay",
        "The ferry union set a strike date on Tuesday in the dispute over pay. Union leaders "
        "said crews would walk out for two days next week.",
    ),
    "walkout": (
        "Ferry crews to walk out next week",
        "Ferry crews will walk out for two days next week after union leaders set a strike "
        "date in the pay dispute. Commuters were told to find other routes.",
    ),
}


WILDFIRE = (
    "Wildfire near Athens",
    "A wildfire burned forest near Athens on Wednesday as firefighters battled strong "
    "winds. Residents of two villages were evacuated overnight.",
)


FERRY_AND_OTHERS = {**FERRY, "flood": FLOOD, "fire": WILDFIRE}


def store_and_batch_stories(
    stories: StoryStore, ids: dict[str, int]
) -> tuple[list[list[int]], list[list[int]]]:
    """The stories of the ``FERRY_AND_OTHERS`` articles (stored under ``ids``) in the
    store and as one ``precis cluster`` run gives them, each as sorted lists of ids."""
    articles = [ArticleInput(str(ids[n]), t, title) for n, (title, t) in FERRY_AND_OTHERS.items()]
    by_batch: dict[str, set[int]] = defaultdict(set)
    by_store: dict[int, set[int]] = defaultdict(set)
    for a in cluster(articles):
        by_batch[a.story].add(int(a.id))
        by_store[stories.story_of(int(a.id))].add(int(a.id))
    return sorted(map(sorted, by_store.values())), sorted(map(sorted, by_batch.values()))


def _ferry(store: Store) -> dict[str, int]:
    ids = {}
    for i, (name, (title, text)) in enumerate(FERRY.items()):
        article = Article(title=title, text=text, source=f"Outlet {i}", url=f"https://f{i}.test/")
        ids[name] = store.add(article).id
    for name, (title, text) in {"flood": FLOOD, "fire": WILDFIRE}.items():
        ids[name] = store.add(Article(title=title, text=text, url=f"https://{name}.test/")).id
    return ids


def test_a_later_article_can_move_a_stored_one_to_the_story_it_belongs_to(store: Store) -> None:
    """Articles added one per command are re-grouped with the stories they touch: the
    strike article first joins the budget article (both about the ferry, nothing
    better yet); once the strike-date article arrives, the strike article moves to a
    story with it, and the budget article keeps its story. Once the store has grown
    half as large again, its first articles are weighed again with the frequencies of
    now and re-grouped, so the store ends with the stories ``precis cluster`` gives
    the same six articles."""
    ids = _ferry(store)
    stories = StoryStore(store)
    for name in ("flood", "fire", "budget", "strike"):
        stories.assign([ids[name]])
    first = stories.story_of(ids["budget"])
    assert stories.story_of(ids["strike"]) == first
    stories.assign([ids["date"]])
    assert stories.story_of(ids["budget"]) == first
    moved = stories.story_of(ids["strike"])
    assert moved != first
    assert stories.story_of(ids["date"]) == moved
    stories.assign([ids["walkout"]])
    assert stories.story_of(ids["walkout"]) == stories.story_of(ids["date"])
    assert len({stories.story_of(ids[n]) for n in ("flood", "fire", "budget")}) == 3
    in_store, in_batch = store_and_batch_stories(stories, ids)
    assert in_store == in_batch
    # why an article is where it is names a member of its story
    walkout_story = stories.get(stories.story_of(ids["walkout"]))
    walkout = next(a for a in walkout_story.articles if a.id == ids["walkout"])
    assert walkout.explanation["closest"] in {str(a.id) for a in walkout_story.articles}


def test_stale_weights_are_weighed_again_and_rows_without_key_counts_keep_theirs(
    store: Store,
) -> None:
    """A member weighed while the store was small is weighed again with the frequencies
    of now, and written back, once the store has grown ``STALE_GROWTH`` times; a member
    without key counts (as rows filed before migration 0008) keeps the weights it was
    filed with until ``rebuild_index`` (``precis story reindex``) fills them in."""
    ids = _ferry(store)
    stories = StoryStore(store)
    stories.assign([ids["flood"]])
    stories.assign([ids["fire"]])

    def members() -> dict[int, tuple[object, ...]]:
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    story_articles.c.article_id,
                    story_articles.c.weights,
                    story_articles.c.key_counts,
                    story_articles.c.weighed_docs,
                )
            )
            return {r.article_id: (r.weights, r.key_counts, r.weighed_docs) for r in rows}

    flood_weights, flood_keys, flood_docs = members()[ids["flood"]]
    assert flood_keys
    assert flood_docs == 2  # weighed again when fire arrived: 2 >= 1.5 x 1
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(story_articles)
            .where(story_articles.c.article_id == ids["fire"])
            .values(key_counts=None, weighed_docs=None)
        )
    fire_weights = members()[ids["fire"]][0]
    for name in ("budget", "strike", "date", "walkout"):
        stories.assign([ids[name]])
    after = members()
    assert after[ids["fire"]] == (fire_weights, None, None)
    weights, keys, docs = after[ids["flood"]]
    assert keys == flood_keys
    assert isinstance(docs, int)
    assert docs >= 1.5 * flood_docs
    assert weights != flood_weights  # weighed with the frequencies of six articles
    assert stories.rebuild_index() == 6
    fire = members()[ids["fire"]]
    assert fire[1]
    assert fire[2] == 6


def test_a_corrected_story_is_never_regrouped(store: Store) -> None:
    ids = _ferry(store)
    stories = StoryStore(store)
    for name in ("flood", "fire", "budget", "strike"):
        stories.assign([ids[name]])
    first = stories.story_of(ids["strike"])
    split_off = stories.split(first, [ids["budget"]])  # both stories now corrected
    stories.assign([ids["date"]])
    assert stories.story_of(ids["strike"]) == first  # pinned where the user left it
    assert stories.story_of(ids["budget"]) == split_off
    assert stories.story_of(ids["date"]) == first  # a corrected story still takes articles in


def test_an_interrupted_assignment_places_nothing(store: Store) -> None:
    """Assignment is one transaction: if it fails part-way nothing is filed, and the
    next run places every article."""
    ids = _ferry(store)
    stories = StoryStore(store)
    with (
        pytest.raises(RuntimeError),
        patch.object(storyregroup, "count_keys", side_effect=RuntimeError("disk full")),
    ):
        stories.assign()
    assert len(stories.pending()) == len(ids)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(story_df)).scalar_one() == 0
    placed = stories.assign()
    assert {p.article_id for p in placed} == set(ids.values())


def _features_of(articles: list[SourceArticle]) -> tuple[list[str], dict[str, list[float]]]:
    from precis.cluster import storysum

    analysed = storysum._analyse(articles)
    assert analysed is not None
    units, _, _, features, scores = analysed
    assert features.shape == (len(units), len(storysum.FEATURES))
    assert list(scores) == pytest.approx(list(features @ storysum.WEIGHTS))
    columns = {name: list(features[:, k]) for k, name in enumerate(storysum.FEATURES)}
    return [u.text for u in units], columns


def test_story_sentence_features_position_support_and_titles() -> None:
    articles = [
        SourceArticle("a", "The fire killed 12 people in Lyon. Ten trucks came.", "Lyon fire", "A"),
        SourceArticle("b", "A fire killed 12 people in Lyon on Monday.", "Fire in Lyon", "B"),
    ]
    texts, f = _features_of(articles)
    assert texts[0] == "The fire killed 12 people in Lyon."
    assert f["first"] == [1.0, 0.0, 1.0]
    assert f["position_prior"] == pytest.approx([1.0, 1 / 1.5, 1.0])
    assert f["relative_position"] == pytest.approx([0.0, 0.5, 0.0])
    assert f["article_sentences"] == [2.0, 2.0, 1.0]
    # the two fire sentences carry each other; "Ten trucks came." is carried by no one
    assert f["support_share"] == [1.0, 0.0, 1.0]
    assert f["max_other"][0] > f["max_other"][1]
    assert f["other_titles"][0] > f["other_titles"][1]
    assert f["centroid"][0] > f["centroid"][1]
    assert f["numbers"] == [1.0, 0.0, 1.0]


def test_story_sentence_features_of_wording() -> None:
    articles = [
        SourceArticle(
            "a",
            'They said "we will rebuild" after the storm. Officials in Texas counted 40 homes.',
            "Storm",
            "A",
        )
    ]
    texts, f = _features_of(articles)
    assert len(texts) == 2
    assert f["pronoun_start"] == [1.0, 0.0]
    assert f["attribution"] == [1.0, 0.0]
    assert f["quoted"] == [1.0, 0.0]
    assert f["names"] == [0.0, 1.0]  # "Texas" (a sentence's first word is not counted)
    assert f["log_words"][0] == pytest.approx(np.log1p(8))
    # one outlet: nothing to agree with
    assert f["agreement"] == [0.0, 0.0]
    assert f["support_share"] == [0.0, 0.0]


def test_assignment_rereads_what_changed_while_it_waited_for_the_lock(store: Store) -> None:
    """An assignment reads its articles before taking the lock (``Store.serialised``);
    under the lock it drops those another process placed or deleted meanwhile and reads
    again one whose text was replaced."""
    from dataclasses import replace

    from precis.store.storyassign import StoryAssigner

    ids = _ferry(store)
    assigner = StoryAssigner(store)
    names = ["flood", "fire", "budget"]
    read = assigner._read([ids[n] for n in names])
    StoryStore(store).assign([ids["flood"]])  # placed by "another process"
    store.delete(ids["fire"])
    budget = store.get(ids["budget"]).article
    store.replace_text(ids["budget"], replace(budget, text=budget.text + " Fares rise in May."))
    with store.serialised() as conn:
        still = assigner._still_pending(conn, read)
    assert [item.article_id for item in still] == [ids["budget"]]
    assert still[0].content_hash != read[2].content_hash
    assert still[0].keys != read[2].keys
