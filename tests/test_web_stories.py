"""Stories in the reader, end to end over a real temporary SQLite store.

Articles are stored and assigned to stories by the real engine (``assign_stories``);
the app uses its default provider (``precis.web.storydb.StoreStories``). One outlet
carries markup in its name and headline: it must come out as text everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from precis.config import Settings
from precis.entities.model import Analysis, Statement
from precis.models import Article
from precis.pipeline import assign_stories
from precis.store import Store
from precis.store.entities import save_analysis
from precis.store.stories import StoryStore
from precis.text.sentences import parse
from precis.web import create_app
from precis.web.storydb import StoreStories
from web_helpers import FIRE, HOSTILE_SOURCE, when

STRIKE = [
    Article(
        title="Riverton bus drivers strike over pay",
        text=(
            "Bus drivers in Riverton walked off the job on Monday in a dispute over pay.\n"
            "The drivers union said talks with the transit authority had broken down.\n"
            "Commuters queued for taxis across Riverton."
        ),
        source="Valley Times",
        published=when(17, 8),
    ),
    Article(
        title="Riverton bus strike strands commuters",
        text=(
            "Bus drivers in Riverton walked off the job on Monday in a dispute over pay.\n"
            "The drivers union said talks with the transit authority had broken down.\n"
            "Schools in Riverton opened late."
        ),
        source="Northern Courier",
        published=when(17, 9),
    ),
]
LONE = Article(
    title="Eastbrook library reopens",
    text="The Eastbrook library reopened after a two-year refit. Readers queued at dawn.",
    source="Valley Times",
    published=when(17, 12),
)


@dataclass(frozen=True, slots=True)
class Corpus:
    fire: list[int]
    strike: list[int]
    lone: int
    fire_story: int
    strike_story: int


@pytest.fixture
def corpus(store: Store, settings: Settings) -> Corpus:
    fire = [store.add(a).id for a in FIRE]
    strike = [store.add(a).id for a in STRIKE]
    lone = store.add(LONE).id
    assign_stories(store, None, settings)
    stories = StoryStore(store)
    fire_story = {stories.story_of(i) for i in fire}
    strike_story = {stories.story_of(i) for i in strike}
    assert len(fire_story) == 1, "the fire articles should form one story"
    assert len(strike_story) == 1, "the strike articles should form one story"
    assert stories.story_of(lone) not in fire_story | strike_story
    return Corpus(fire, strike, lone, fire_story.pop(), strike_story.pop())


@pytest.fixture
def client(settings: Settings, store: Store, corpus: Corpus) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as c:
        yield c


def assert_inert(page: str) -> None:
    assert "<script>window" not in page
    assert "<img src=x" not in page
    assert "<b>Wire</b>" not in page


def test_home_lists_stories_by_independent_sources(client: TestClient, corpus: Corpus) -> None:
    page = client.get("/").text
    assert "Top stories" in page
    fire_at = page.index(f'href="/stories/{corpus.fire_story}"')
    strike_at = page.index(f'href="/stories/{corpus.strike_story}"')
    assert fire_at < strike_at  # 3 sources beat 2, although the strike is a day newer
    card = page[fire_at : page.index("</li>", fire_at)]
    assert "3 independent sources" in card
    assert "Harbor Herald" in card
    assert "The Daily Ledger" in card
    assert "Metro &lt;b&gt;Wire&lt;/b&gt;" in card
    assert "16 Oct 2026, 08:00–12:00 UTC" in card  # the time span
    assert "Eastbrook library" not in page[: page.index("Latest articles")]  # one outlet
    assert_inert(page)
    # one h1 a page (screen readers take it as the page's title): the top stories'
    assert page.count("<h1>") == 1
    assert "<h2>Latest articles</h2>" in page


def test_story_page_shows_cited_summary_and_coverage(client: TestClient, corpus: Corpus) -> None:
    response = client.get(f"/stories/{corpus.fire_story}")
    assert response.status_code == 200, response.text
    page = response.text
    for part in (
        "Summary",
        "Where the sources differ",
        "Common ground",
        "Only in Harbor Herald",
        "Coverage by outlet",
        "Why these are together",
        "joined with similarity",
    ):
        assert part in page, part
    assert re.search(r"12 vs 14|14 vs 12", page)
    cited = set(re.findall(r'href="/articles/(\d+)#s(\d+)"', page))
    assert cited
    assert {int(a) for a, _ in cited} <= set(corpus.fire)
    for article_id in corpus.fire:
        assert f'href="/articles/{article_id}"' in page  # coverage lists every article
    assert "Metro &lt;b&gt;Wire&lt;/b&gt;" in page
    assert "Who said what across outlets" not in page  # nothing analysed: no panel
    assert_inert(page)


def test_story_summary_length(client: TestClient, corpus: Corpus) -> None:
    def items(sentences: int) -> int:
        page = client.get(f"/stories/{corpus.fire_story}", params={"sentences": sentences}).text
        listed = page[page.index('id="story-summary-list"') : page.index("</ol>")]
        return listed.count("<li>")

    assert items(1) == 1
    assert items(2) == 2
    assert client.get(f"/stories/{corpus.fire_story}", params={"sentences": 0}).status_code == 400
    assert client.get(f"/stories/{corpus.fire_story}", params={"sentences": 99}).status_code == 400


def test_unknown_story_is_404(client: TestClient) -> None:
    assert client.get("/stories/999999").status_code == 404
    body = client.get("/api/stories/999999").json()
    assert body == {"ok": False, "error": body["error"], "status": 404}
    assert "no story with id 999999" in body["error"]
    assert client.get("/api/stories/999999/summary").status_code == 404


def test_article_links_to_story_and_neighbours_in_it(client: TestClient, corpus: Corpus) -> None:
    first, middle, last = corpus.fire
    page = client.get(f"/articles/{middle}").text
    assert f'href="/stories/{corpus.fire_story}"' in page
    assert f'id="previous-in-story" href="/articles/{first}"' in page
    assert f'id="next-in-story" href="/articles/{last}"' in page
    assert_inert(page)
    page = client.get(f"/articles/{first}").text
    assert 'id="previous-in-story"' not in page
    assert f'id="next-in-story" href="/articles/{middle}"' in page
    lone = client.get(f"/articles/{corpus.lone}").text
    assert 'id="next-in-story"' not in lone
    assert 'id="previous-in-story"' not in lone
    # A story of this one article is the article itself: no "Part of the story" box
    # naming its own headline and "1 independent source".
    assert 'class="in-story"' not in lone


def test_api_lists_ranked_stories_with_pagination(client: TestClient, corpus: Corpus) -> None:
    body = client.get("/api/stories").json()
    assert body["ok"]
    assert body["total"] == 3
    ranked = [s["id"] for s in body["stories"]]
    assert ranked[:2] == [corpus.fire_story, corpus.strike_story]
    fire = body["stories"][0]
    assert fire["sources"] == 3
    assert fire["articles"] == 3
    assert HOSTILE_SOURCE in fire["outlets"]
    assert fire["first"].startswith("2026-10-16T08:00")
    page = client.get("/api/stories", params={"limit": 1, "offset": 1}).json()
    assert [s["id"] for s in page["stories"]] == [corpus.strike_story]
    several = client.get("/api/stories", params={"min_sources": 2}).json()
    assert several["total"] == 2
    for bad in ({"limit": 0}, {"limit": 1000}, {"offset": -1}, {"min_sources": 0}):
        response = client.get("/api/stories", params=bad)
        assert response.status_code == 400, bad
        assert response.json()["ok"] is False


def test_api_story_explains_grouping(client: TestClient, corpus: Corpus) -> None:
    body = client.get(f"/api/stories/{corpus.fire_story}").json()
    assert body["story"]["id"] == corpus.fire_story
    assert sorted(a["id"] for a in body["articles"]) == sorted(corpus.fire)
    joined = [a for a in body["articles"] if a["why"].startswith("joined")]
    assert joined
    assert all(a["score"] > 0 and a["shared"] for a in joined)
    assert "bayline" in body["shared_terms"]


def test_api_story_summary_cites_verbatim_sentences(
    client: TestClient, store: Store, corpus: Corpus
) -> None:
    body = client.get(f"/api/stories/{corpus.fire_story}/summary", params={"sentences": 2}).json()
    assert body["ok"]
    assert body["length"] == "s2"
    assert len(body["summary"]) == 2
    points = body["summary"] + body["common"] + [p for v in body["only_in"].values() for p in v]
    for point in points:
        for citation in point["citations"]:
            assert citation["article_id"] in corpus.fire
            stored = store.get(citation["article_id"])
            doc = parse(stored.text, stored.title)
            assert doc.sentence_text(citation["sentence"]) == citation["text"]
    sides = [sorted(c["values"]) for d in body["disagreements"] for c in d["claims"]]
    assert ["12"] in sides
    assert ["14"] in sides
    words = client.get(f"/api/stories/{corpus.fire_story}/summary", params={"words": 20}).json()
    assert words["length"] == "w20"
    both = {"sentences": 1, "words": 5}
    assert client.get(f"/api/stories/{corpus.fire_story}/summary", params=both).status_code == 400


def test_summaries_are_cached_until_the_story_changes(
    store: Store, settings: Settings, corpus: Corpus
) -> None:
    provider = StoreStories(store, settings, parse)
    first = provider.summary(corpus.strike_story)
    assert provider.summary(corpus.strike_story) is first
    added = store.add(
        Article(
            title="Riverton bus strike enters second day",
            text=(
                "Bus drivers in Riverton walked off the job on Monday in a dispute over pay.\n"
                "The drivers union said talks with the transit authority had broken down.\n"
                "Shops in central Riverton reported fewer customers."
            ),
            source="Coastline Post",
            published=when(19, 8),
        )
    ).id
    assign_stories(store, [added], settings)
    assert StoryStore(store).story_of(added) == corpus.strike_story
    again = provider.summary(corpus.strike_story)
    assert again is not first
    assert "Coastline Post" in dict(again.only_in) or any(
        c.article_id == added for p in again.overview for c in p.citations
    )
    assert provider.top(5)[1].sources == 3  # the ranking saw the new member too


def test_who_said_what_across_outlets(client: TestClient, store: Store, corpus: Corpus) -> None:
    said = "90 firefighters fought the Pier 9 blaze"
    for article_id in corpus.fire:
        stored = store.get(article_id)
        start = stored.text.index(said)
        statement = Statement(
            "Ronald Baptiste", "PERSON", "said", said, start, start + len(said), False
        )
        save_analysis(store, article_id, stored.content_hash, "test", Analysis((), (statement,)))
    page = client.get(f"/stories/{corpus.fire_story}").text
    panel = page[page.index("Who said what across outlets") : page.index('id="coverage"')]
    assert "Ronald Baptiste" in panel
    assert "carried by 3 outlets" in panel
    assert "Metro &lt;b&gt;Wire&lt;/b&gt;" in panel
    assert_inert(page)
