"""Site templates: paragraphs a site repeats around its articles are stripped from them,
and the posts of one blog are no longer one "story" because of them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from precis.cluster import ArticleInput, cluster
from precis.config import Settings
from precis.models import Article
from precis.pipeline import extract_inputs, ingest, reextract
from precis.store import Store
from precis.store.schema import site_paragraphs
from precis.store.stories import StoryStore
from precis.store.templates import store_article
from precis.text import templates

# What a personal-finance blog prints under every post (trafilatura keeps it: it sits in
# the post's own container), and what it prints above.
OFFERS = [
    "Top Cards by Category",
    "Earn up to 5% cash back in categories that change throughout the year and enjoy a 0% "
    "introductory rate for 14 months on balance transfers and purchases.",
    "Earn 1 mile on every $1 you spend, plus flexible redemption options like travel, "
    "credits, merchandise, gift cards or cash.",
    "Introductory offer of no balance transfer fee when you transfer a balance during the "
    "first 60 days your account is open.",
]
BYLINE = "Posted by Nickel in Money Tips"
POSTS = {
    "savings": (
        "A High Yield Savings Option",
        [
            "An online bank is offering 2.1 percent on savings balances above 10,000 dollars "
            "if customers also open a checking account.",
            "The catch is a monthly fee that applies when the checking balance falls below "
            "the minimum, which eats most of the extra interest for smaller savers.",
        ],
    ),
    "holidays": (
        "Six Ways to Save Money at the Holidays",
        [
            "Set a gift budget per person before the shopping starts, and write it down.",
            "Homemade cookies and framed family photos cost little and are remembered longer "
            "than most store-bought presents.",
        ],
    ),
    "enrollment": (
        "Open Enrollment in Full Swing",
        [
            "Employers are asking staff to choose next year's health plans by the end of the "
            "month, and premiums are rising again.",
            "Compare the deductible and the out-of-pocket maximum, not only the premium.",
        ],
    ),
    "bank": (
        "Three Things to Do When Your Bank Gets Eaten",
        [
            "When a regional bank is bought by a larger one, account numbers usually stay but "
            "fees and branch hours often change within a year.",
            "Read the merger letter, check automatic payments, and compare the new fee "
            "schedule with a credit union's.",
        ],
    ),
}


def _post(name: str, url_host: str = "www.fivecentnickel.test") -> Article:
    title, body = POSTS[name]
    text = "\n".join([BYLINE, *body, *OFFERS])
    return Article(title=title, text=text, url=f"https://{url_host}/{name}", source="Nickel")


def _ingested(tmp_path: Path, settings: Settings, store: Store) -> list[int]:
    """The posts through ``precis add`` of JSON-lines files (the raw input is kept)."""
    for name in POSTS:
        article = _post(name)
        row = {"title": article.title, "text": article.text, "url": article.url}
        (tmp_path / f"{name}.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    report = ingest(store, [str(tmp_path / f"{name}.jsonl") for name in POSTS], settings)
    ids = [result.id for _, result in report.added]
    assert len(ids) == len(POSTS)
    return ids


def test_site_is_the_host_without_www_else_the_source_name() -> None:
    assert templates.site_of("https://www.Example.test/a?b=1", "Ex") == "example.test"
    assert templates.site_of(None, "  The  Curious Brain ") == "the curious brain"
    assert templates.site_of(None, None) is None
    assert templates.site_of("", "") is None


def test_strip_drops_only_the_leading_and_trailing_runs() -> None:
    lines = ["menu", "Lead paragraph.", "Repeated background.", "Last paragraph.", "footer"]
    template = {templates.digest(p) for p in ("menu", "  FOOTER ", "Repeated background.")}
    stripped = templates.strip("\n".join(lines), template.__contains__)
    assert stripped.split("\n") == ["Lead paragraph.", "Repeated background.", "Last paragraph."]
    # a text that is all template is left whole (an index page, or a copy)
    assert templates.strip("menu\nfooter", template.__contains__) == "menu\nfooter"


def test_a_paragraph_is_template_only_when_min_articles_of_the_site_carry_it() -> None:
    texts = ["\n".join([f"Body {i}.", "Shared footer."]) for i in range(templates.MIN_ARTICLES)]
    two = templates.strip_all(texts[:-1], ["blog.test"] * (templates.MIN_ARTICLES - 1))
    assert two == texts[:-1]
    every = templates.strip_all(texts, ["blog.test"] * templates.MIN_ARTICLES)
    assert every == [f"Body {i}." for i in range(templates.MIN_ARTICLES)]
    # the same paragraph on different sites is nobody's template
    sites = [f"site{i}.test" for i in range(templates.MIN_ARTICLES)]
    assert templates.strip_all(texts, sites) == texts


@given(st.permutations(list(POSTS)))
def test_stored_texts_do_not_depend_on_the_order_posts_arrive(order: list[str]) -> None:
    store = Store.open("sqlite://")
    try:
        ids = {name: store_article(store, _post(name))[0].id for name in order}
        texts = {name: store.get(i).text for name, i in ids.items()}
    finally:
        store.close()
    for name, (_, body) in POSTS.items():
        assert texts[name] == "\n".join(body)


def test_the_third_post_strips_the_first_two_and_they_leave_their_story(
    settings: Settings, store: Store, samples: Path
) -> None:
    ingest(store, [str(samples)], settings)  # so that the offers' words are rare
    stories = StoryStore(store)
    first, second = (store_article(store, _post(n))[0].id for n in ("savings", "holidays"))
    stories.assign([first, second])
    # two posts: nothing is known to be the site's yet, and the offers group them
    assert stories.story_of(first) == stories.story_of(second)
    assert OFFERS[1] in store.get(first).text

    result, others = store_article(store, _post("enrollment"))

    assert sorted(others) == sorted([first, second])
    for article_id in (first, second, result.id):
        text = store.get(article_id).text
        assert OFFERS[1] not in text
        assert BYLINE not in text
    assert sorted(stories.pending()) == sorted([first, second, result.id])
    stories.assign(None)
    placed = {stories.story_of(i) for i in (first, second, result.id)}
    assert len(placed) == 3


def test_ingest_reextract_and_delete_keep_the_paragraph_counts(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    ids = _ingested(tmp_path, settings, store)
    assert all(OFFERS[0] not in store.get(i).text for i in ids)

    def counts() -> dict[int, int]:
        with store.engine.connect() as conn:
            query = sa.select(site_paragraphs.c.article_id, sa.func.count()).group_by(
                site_paragraphs.c.article_id
            )
            return {int(a): int(n) for a, n in conn.execute(query).all()}

    # every paragraph extraction gave is filed, the stripped ones too
    per_article = len(OFFERS) + 3
    assert counts() == dict.fromkeys(ids, per_article)
    assert [o.state for o in reextract(store, settings)] == ["unchanged"] * len(ids)
    assert counts() == dict.fromkeys(ids, per_article)
    store.delete(ids[0])
    assert counts() == dict.fromkeys(ids[1:], per_article)


def test_reextract_learns_the_template_of_articles_stored_before_it_was_kept(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    """A store made before site templates were kept has the offers in every post and no
    paragraph counts; once ``precis reextract`` has filed the paragraphs, they are gone."""
    ids = _ingested(tmp_path, settings, store)
    with store.engine.begin() as conn:  # what the previous version of precis stored
        conn.execute(sa.delete(site_paragraphs))
    for name, article_id in zip(POSTS, ids, strict=True):
        store.replace_text(
            article_id, replace(store.get(article_id).article, text=_post(name).text)
        )
    assert all(OFFERS[1] in store.get(i).text for i in ids)

    outcomes = list(reextract(store, settings))

    # the first two are stripped when the third shows the offers to be the site's
    assert [o.state for o in outcomes] == ["unchanged", "unchanged", "changed", "changed"]
    assert sorted(outcomes[2].others) == ids[:2]
    for article_id, (_, body) in zip(ids, POSTS.values(), strict=True):
        assert store.get(article_id).text == "\n".join(body)


@pytest.mark.parametrize("hosts", [("www.a.test", "www.b.test", "www.c.test", "www.d.test")])
def test_posts_of_different_sites_keep_their_shared_paragraphs(
    store: Store, hosts: tuple[str, ...]
) -> None:
    ids = [
        store_article(store, _post(name, host))[0].id
        for name, host in zip(POSTS, hosts, strict=True)
    ]
    assert all(OFFERS[1] in store.get(i).text for i in ids)


def test_a_post_republished_with_the_sites_template_is_already_stored(store: Store) -> None:
    """Once the template is stripped, the same post at another address (without the
    byline, with the offers) is the same content: reported as stored, not added."""
    first = store_article(store, _post("savings"))[0]
    for name in ("holidays", "enrollment"):
        store_article(store, _post(name))
    again = Article(
        title="A High Yield Savings Option",
        text="\n".join([*POSTS["savings"][1], *OFFERS]),
        url="https://www.fivecentnickel.test/savings-again",
        source="Nickel",
    )
    result, others = store_article(store, again)
    assert (result.created, result.id, result.reason, others) == (
        False,
        first.id,
        "same content",
        [],
    )
    assert store.count() == 3


def test_batch_clustering_strips_each_sources_template_as_the_store_does(
    settings: Settings, samples: Path
) -> None:
    """``precis cluster``: the four posts share only the blog's offers; without a source
    nothing says the offers are a template and they group posts; with it, each post is
    its own story, as in the store."""
    background = [
        ArticleInput(f"s{i}", a.text, a.title, a.source, a.published)
        for i, a in enumerate(extract_inputs([str(samples)], settings))
        if isinstance(a, Article)
    ]

    def posts(source: str | None) -> list[ArticleInput]:
        return [ArticleInput(name, _post(name).text, _post(name).title, source) for name in POSTS]

    def stories_of_posts(source: str | None) -> set[str]:
        assigned = cluster(background + posts(source))
        return {a.story for a in assigned if a.id in POSTS}

    assert len(stories_of_posts(None)) < len(POSTS)
    assert len(stories_of_posts("Nickel")) == len(POSTS)
