"""Site templates: paragraphs a site repeats around its articles are left out of what
story assignment compares, so the posts of one blog are no longer one "story" because of
them; the stored text stays as extraction gave it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from precis.cli import cli
from precis.cluster import ArticleInput, cluster
from precis.cluster.assign import article_keys, prepare
from precis.cluster.features import features
from precis.config import Settings
from precis.models import Article
from precis.pipeline import extract_inputs, ingest, reextract, remove
from precis.store import Store
from precis.store.feeds import article_id_for_url
from precis.store.filing import store_article
from precis.store.schema import site_paragraphs, story_articles
from precis.store.stories import StoryStore
from precis.store.templates import SiteTemplates
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
    # a malformed URL (urlsplit raises on it) names no host: the source stands
    assert templates.site_of("http://[oops/a", "Ex") == "ex"


def test_a_malformed_url_in_a_corpus_is_stored_and_clustered(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    """``precis add`` of a JSON line whose URL ``urlsplit`` refuses stored it before site
    templates read URLs, and still does (no traceback); ``precis cluster`` too."""
    path = tmp_path / "odd.jsonl"
    row = {"title": "Bridge", "text": POSTS["bank"][1][0], "url": "http://[oops/1"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    report = ingest(store, [str(path)], settings)
    assert report.ok
    assert len(report.added) == 1
    assert StoryStore(store).pending() == []
    (placed,) = cluster([ArticleInput("1", row["text"], row["title"], url=row["url"])])
    assert placed.story == "1"


def test_strip_drops_only_the_leading_and_trailing_runs() -> None:
    lines = ["menu", "Lead paragraph.", "Repeated background.", "Last paragraph.", "footer"]
    template = {templates.digest(p) for p in ("menu", "  FOOTER ", "Repeated background.")}
    stripped = templates.strip("\n".join(lines), template.__contains__)
    assert stripped.split("\n") == ["Lead paragraph.", "Repeated background.", "Last paragraph."]
    # a text that is all template is left whole (an index page, or a copy)
    assert templates.strip("menu\nfooter", template.__contains__) == "menu\nfooter"


def test_a_paragraph_is_template_only_when_min_titles_of_the_site_carry_it() -> None:
    n = templates.MIN_TITLES
    texts = ["\n".join([f"Body {i}.", "Shared footer."]) for i in range(n)]
    titles = [f"Post {i}" for i in range(n)]
    blog = ["blog.test"] * n
    assert templates.strip_all(texts[:-1], blog[:-1], titles[:-1], least=n) == texts[:-1]
    assert templates.strip_all(texts, blog, titles, least=n) == [f"Body {i}." for i in range(n)]
    # the same paragraph on different sites is nobody's template
    sites = [f"site{i}.test" for i in range(n)]
    assert templates.strip_all(texts, sites, titles, least=n) == texts
    # nor in versions of one article (one title): copies and updates are one article
    assert templates.strip_all(texts, blog, ["Post"] * n, least=n) == texts
    assert templates.strip_all(texts, blog, ["Post", "POST ", *titles[2:]], least=n) == texts


def test_versions_of_one_post_do_not_make_a_template(store: Store) -> None:
    """Three versions of one post (one title, new URLs, an update paragraph each) share
    their paragraphs: nothing of it is a template."""
    title, body = POSTS["savings"]
    ids = [
        store_article(
            store,
            Article(
                title=title,
                text="\n".join([*body, *OFFERS, f"Update {n}: rates checked again."]),
                url=f"https://www.fivecentnickel.test/savings-{n}",
                source="Nickel",
            ),
            templates.MIN_TITLES,
        )[0].id
        for n in range(templates.MIN_TITLES)
    ]
    with store.engine.connect() as conn:
        assert SiteTemplates(conn, templates.MIN_TITLES).template_of(ids) == {i: set() for i in ids}


def _keys(store: Store, article_id: int) -> dict[str, float]:
    with store.engine.connect() as conn:
        query = sa.select(story_articles.c.key_counts).where(
            story_articles.c.article_id == article_id
        )
        return dict(conn.execute(query).scalar_one())


def _body_keys(name: str) -> dict[str, float]:
    title, body = POSTS[name]
    return article_keys(features(title, "\n".join(body)))


@settings(max_examples=24, deadline=None)  # 4! orders; a store per example
@given(st.permutations(list(POSTS)))
def test_story_keys_leave_out_the_template_whatever_the_order_posts_arrive(
    order: list[str],
) -> None:
    store = Store.open("sqlite://")
    try:
        stories = StoryStore(store)
        ids = {}
        for name in order:
            ids[name] = store_article(store, _post(name), templates.MIN_TITLES)[0].id
            stories.assign(None)
        for name, article_id in ids.items():
            assert store.get(article_id).text == _post(name).text  # the text is kept whole
            assert _keys(store, article_id) == _body_keys(name)
    finally:
        store.close()


def test_the_third_post_reopens_the_first_two_and_they_part(
    settings: Settings, any_store: Store, samples: Path
) -> None:
    """On SQLite and on PostgreSQL."""
    store = any_store
    ingest(store, [str(samples)], settings)  # so that the offers' words are rare
    stories = StoryStore(store)
    first, second = (
        store_article(store, _post(n), templates.MIN_TITLES)[0].id for n in ("savings", "holidays")
    )
    # a wire copy of the first; dated, so it comes after the undated post in canonical
    # order and is the copy whichever its text hash
    wire = replace(
        _post("savings"),
        url="https://wire.test/savings",
        source="Wire",
        published=datetime(2026, 1, 2, tzinfo=UTC),
    )
    copy = store_article(
        store, replace(wire, text=wire.text + "\n(Wire copy.)"), templates.MIN_TITLES
    )[0].id
    stories.assign([first, second, copy])
    # two posts: nothing is known to be the site's yet, and the offers group them
    assert stories.story_of(first) == stories.story_of(second)
    assert _duplicate_of(store, copy) == first

    result, reopened = store_article(store, _post("enrollment"), templates.MIN_TITLES)

    # the first two and the copy that follows the first
    assert reopened == sorted([first, second, copy])
    assert sorted(stories.pending()) == sorted([first, second, copy, result.id])
    stories.assign(None)
    assert len({stories.story_of(i) for i in (first, second, result.id)}) == 3
    assert _duplicate_of(store, copy) == first
    assert stories.story_of(copy) == stories.story_of(first)
    assert OFFERS[1] in store.get(first).text  # what the reader shows is unchanged


def _duplicate_of(store: Store, article_id: int) -> int | None:
    with store.engine.connect() as conn:
        query = sa.select(story_articles.c.duplicate_of).where(
            story_articles.c.article_id == article_id
        )
        return conn.execute(query).scalar_one()


def test_ingest_reextract_and_delete_keep_the_paragraph_counts(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    ids = _ingested(tmp_path, settings, store)

    def counts() -> dict[int, int]:
        with store.engine.connect() as conn:
            query = sa.select(site_paragraphs.c.article_id, sa.func.count()).group_by(
                site_paragraphs.c.article_id
            )
            return {int(a): int(n) for a, n in conn.execute(query).all()}

    per_article = len(OFFERS) + 3  # the byline, two paragraphs, the offers
    assert counts() == dict.fromkeys(ids, per_article)
    with store.engine.connect() as conn:
        template = SiteTemplates(conn, templates.MIN_TITLES).template_of(ids)
    offers = {templates.digest(p) for p in [BYLINE, *OFFERS]}
    assert template == dict.fromkeys(ids, offers)
    assert [o.state for o in reextract(store, settings)] == ["unchanged"] * len(ids)
    assert counts() == dict.fromkeys(ids, per_article)
    store.delete(ids[0])
    assert counts() == dict.fromkeys(ids[1:], per_article)


def test_reextract_learns_the_template_of_articles_stored_before_it_was_kept(
    tmp_path: Path, settings: Settings, store: Store, samples: Path
) -> None:
    """A store made before site templates were kept grouped the posts by the offers;
    ``precis reextract`` files their paragraphs and places them again, apart."""
    ingest(store, [str(samples)], settings)
    before = replace(settings, template_min_titles=10**9)  # what precis did
    ids = _ingested(tmp_path, before, store)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(site_paragraphs))
    stories = StoryStore(store)
    assert len({stories.story_of(i) for i in ids}) < len(ids)

    outcomes = [o for o in reextract(store, settings) if o.id in ids]

    assert [o.state for o in outcomes] == ["unchanged"] * len(ids)
    # the third shows the offers to be the site's: it and the first two are reopened; the
    # fourth was placed with the offers, so it is too
    assert [sorted(o.others) for o in outcomes] == [[], [], ids[:3], ids[3:]]
    assert len({stories.story_of(i) for i in ids}) == len(ids)
    for name, article_id in zip(POSTS, ids, strict=True):
        assert _keys(store, article_id) == _body_keys(name)


def test_posts_of_different_sites_have_no_template(store: Store) -> None:
    hosts = ("www.a.test", "www.b.test", "www.c.test", "www.d.test")
    ids = [
        store_article(store, _post(name, host), templates.MIN_TITLES)[0].id
        for name, host in zip(POSTS, hosts, strict=True)
    ]
    with store.engine.connect() as conn:
        assert SiteTemplates(conn, templates.MIN_TITLES).template_of(ids) == {i: set() for i in ids}


def test_a_wire_copy_with_its_sites_credit_line_stays_a_copy(
    settings: Settings, store: Store
) -> None:
    """The credit line a syndicator prints under every copy is its template; the copies
    are still stored whole and linked to the originals they copy."""
    originals = [store_article(store, _post(name), templates.MIN_TITLES)[0].id for name in POSTS]
    credit = "Distributed by the Syndicate news agency."
    copies = [
        store_article(
            store,
            Article(
                title=title,
                text="\n".join([BYLINE, *body, *OFFERS, credit]),
                url=f"https://syndicate.test/{name}",
                source="Syndicate",
            ),
            templates.MIN_TITLES,
        )[0]
        for name, (title, body) in POSTS.items()
    ]
    assert all(c.created for c in copies)
    placed = {p.article_id: p for p in StoryStore(store).assign(None)}
    for original, copy in zip(originals, copies, strict=True):
        # one of the two is the other's copy (which: the canonical order's choice)
        pair = (placed[copy.id].duplicate_of, placed[original].duplicate_of)
        assert pair in ((original, None), (None, copy.id))
        assert store.get(copy.id).text.endswith(credit)


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


class _WholeTexts:
    """What ``precis batch``'s workers hand the story stage: keys of the whole texts,
    computed before any site is seen whole."""

    def __init__(self, inputs: list[ArticleInput]) -> None:
        self.prepared = {a.id: prepare(a) for a in inputs}

    def bands(self, article: ArticleInput) -> list[str]:
        return self.prepared[article.id].bands

    def keys(self, articles: Sequence[ArticleInput]) -> dict[str, dict[str, float]]:
        return {a.id: self.prepared[a.id].keys for a in articles}

    def paragraphs(self, article: ArticleInput) -> list[str]:
        return self.prepared[article.id].paragraphs


def test_batch_keys_computed_on_whole_texts_give_the_same_stories(
    settings: Settings, samples: Path
) -> None:
    """``precis batch`` computes keys on its workers from whole texts: an original that
    loses its site's template is keyed again, so the stories are ``precis cluster``'s
    (and the store's), with the posts apart."""
    inputs = [
        ArticleInput(f"s{i}", a.text, a.title, a.source, a.published, a.url)
        for i, a in enumerate(extract_inputs([str(samples)], settings))
        if isinstance(a, Article)
    ]
    inputs += [
        ArticleInput(name, _post(name).text, _post(name).title, "Nickel", url=_post(name).url)
        for name in POSTS
    ]
    batch = cluster(inputs, precomputed=_WholeTexts(inputs))
    assert [a.story for a in batch] == [a.story for a in cluster(inputs)]
    assert len({a.story for a in batch if a.id in POSTS}) == len(POSTS)


def test_rm_of_a_post_that_made_the_template_reopens_the_others(
    settings: Settings, store: Store
) -> None:
    """Three posts make the offers a template; once one is deleted the two left no
    longer show it, so they are placed again with the offers counted as their words."""
    ids = [
        store_article(store, _post(name), templates.MIN_TITLES)[0].id
        for name in ("savings", "holidays", "bank")
    ]
    stories = StoryStore(store)
    stories.assign(None)
    assert _keys(store, ids[0]) == _body_keys("savings")

    remove(store, settings, ids[2])

    assert stories.pending() == []
    with store.engine.connect() as conn:
        assert SiteTemplates(conn, templates.MIN_TITLES).template_of(ids[:2]) == {
            i: set() for i in ids[:2]
        }
    for name, article_id in zip(("savings", "holidays"), ids[:2], strict=True):
        article = store.get(article_id)
        assert _keys(store, article_id) == article_keys(features(article.title, article.text))
        assert _keys(store, article_id) != _body_keys(name)


def test_the_template_rule_is_a_setting(tmp_path: Path, samples: Path) -> None:
    """``PRECIS_TEMPLATE_MIN_TITLES`` reaches ``precis add`` and ``precis cluster``: with
    five titles needed, the four posts' offers column is no template and groups them."""
    rows = [
        {"id": name, "title": p.title, "text": p.text, "url": p.url}
        for name in POSTS
        for p in [_post(name)]
    ]
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    background = tmp_path / "background.jsonl"
    background.write_text(
        "".join(
            json.dumps({"id": f"s{i}", "title": a.title, "text": a.text}) + "\n"
            for i, a in enumerate(extract_inputs([str(samples)], Settings.load({})))
            if isinstance(a, Article)
        ),
        encoding="utf-8",
    )
    runner = CliRunner()

    def post_stories(least: str) -> tuple[int, int]:
        env = {"PRECIS_TEMPLATE_MIN_TITLES": least}
        db = f"sqlite:///{tmp_path / f'store-{least}.db'}"
        for path in (samples, posts):
            added = runner.invoke(cli, ["--db", db, "add", str(path)], env=env)
            assert added.exit_code == 0, added.output
        with Store.open(db) as store:
            stories = StoryStore(store)
            stored = {
                stories.story_of(article_id_for_url(store, p.url or "") or 0)
                for p in map(_post, POSTS)
            }
        clustered = runner.invoke(
            cli,
            ["cluster", "--jsonl", "-"],
            env=env,
            input=background.read_text() + posts.read_text(),
        )
        assert clustered.exit_code == 0, clustered.output
        lines = [json.loads(line) for line in clustered.stdout.splitlines()]
        return len(stored), len({line["story"] for line in lines if line["id"] in POSTS})

    assert post_stories("3") == (len(POSTS), len(POSTS))
    assert max(post_stories("5")) < len(POSTS)
    refused = runner.invoke(cli, ["info"], env={"PRECIS_TEMPLATE_MIN_TITLES": "1"})
    assert refused.exit_code != 0
    assert "PRECIS_TEMPLATE_MIN_TITLES" in refused.output
