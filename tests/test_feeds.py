"""Feed polling end to end against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import threading
import time
from html import escape

import pytest

from precis.config import Settings
from precis.errors import InputError
from precis.ingest.feeds import parse_feed
from precis.ingest.opml import Subscription, parse_opml, render_opml
from precis.ingest.urls import normalise_url
from precis.models import Feed
from precis.poller import Poller
from precis.store import Store
from precis.store import feeds as feed_store
from precis.store.stories import StoryStore
from webserver import Reply, Seen, WebServer

TOPICS = ("harbour", "council", "bridge", "festival", "river", "school")


def paragraphs(topic: str, count: int = 6) -> list[str]:
    return [
        f"The {topic} story continues in paragraph {n} with details reported by our "
        f"correspondent, who spoke to residents about the {topic} and what the changes "
        f"mean for the town over the coming months and years ahead."
        for n in range(count)
    ]


def article_html(topic: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs(topic))
    return f"""<!doctype html><html><head><title>Page title {topic} | Gazette</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Page title {topic}</h1>{body}</article>
<footer>Subscribe to our newsletter. Copyright 2024 Gazette Media.</footer></body></html>"""


def rss(items: list[tuple[str, str, bool]]) -> bytes:
    """(guid, topic, full_text) items as RSS 2.0; full-text items carry content:encoded."""
    parts = []
    for guid, topic, full in items:
        content = ""
        if full:
            body = "".join(f"<p>{p}</p>" for p in paragraphs(topic))
            content = f"<content:encoded>{escape(body)}</content:encoded>"
        parts.append(
            f"<item><guid>{guid}</guid><title>Feed title {topic}</title>"
            f"<link>{{base}}/articles/{topic}?utm_source=rss</link>"
            f"<author>reporter@example.com (Ann Reporter)</author>"
            f"<pubDate>Mon, 0{len(parts) + 1} Jan 2024 10:00:00 GMT</pubDate>"
            f"<description>A short teaser about the {topic}.</description>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>The Gazette</title><link>{base}/</link>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def atom(topics: list[str]) -> bytes:
    entries = "".join(
        f"<entry><id>urn:{t}</id><title>Atom title {t}</title>"
        f'<link href="{{base}}/articles/{t}"/><updated>2024-02-0{i + 1}T08:00:00Z</updated>'
        f"<author><name>Bo Writer</name></author><summary>Teaser on the {t}.</summary></entry>"
        for i, t in enumerate(topics)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Atom Times</title><id>urn:feed</id><updated>2024-02-01T00:00:00Z</updated>{entries}</feed>"
    ).encode()


def serve_feed(web: WebServer, path: str, body: bytes, kind: str = "application/rss+xml") -> str:
    web.routes[path] = Reply(
        200, body.replace(b"{base}", web.url("").encode()), {"Content-Type": kind}
    )
    return web.url(path)


def serve_pages(web: WebServer, *topics: str) -> None:
    for topic in topics:
        web.routes[f"/articles/{topic}"] = Reply(
            200, article_html(topic).encode(), {"Content-Type": "text/html; charset=utf-8"}
        )


def subscribe(store: Store, url: str, name: str = "Gazette") -> Feed:
    return feed_store.add_feed(store, url, name, 1800)


def poll_all(store: Store, settings: Settings) -> Poller:
    poller = Poller(store, settings)
    poller.poll(feed_store.list_feeds(store))
    return poller


def test_full_text_rss_entries_are_stored_without_fetching_pages(
    web: WebServer, store: Store, fetch_settings: Settings
) -> None:
    url = serve_feed(web, "/rss", rss([("g1", "harbour", True), ("g2", "council", True)]))
    subscribe(store, url)
    reports = Poller(store, fetch_settings).poll()
    assert [(r.status, r.added) for r in reports] == [("ok", 2)]
    assert not [p for p in web.paths() if p.startswith("/articles/")]
    stored = store.list()
    assert {s.title for s in stored} == {"Feed title harbour", "Feed title council"}
    first = next(s for s in stored if "harbour" in s.title)
    assert first.article.source == "Gazette"
    assert first.article.author == "reporter@example.com (Ann Reporter)"
    assert first.article.published is not None
    assert first.article.url == web.url("/articles/harbour")  # tracking parameter gone
    assert "paragraph 5" in first.text
    feed = feed_store.list_feeds(store)[0]
    assert (feed.last_status, feed.articles_added, feed.title) == ("ok", 2, "The Gazette")


def test_a_poll_places_its_new_articles_in_stories(
    web: WebServer, store: Store, fetch_settings: Settings
) -> None:
    """The reader shows polled articles in stories without anyone running ``precis
    stories`` (before, they waited for it)."""
    url = serve_feed(web, "/rss", rss([("g1", "harbour", True), ("g2", "council", True)]))
    subscribe(store, url)
    Poller(store, fetch_settings).poll()
    stories = StoryStore(store)
    assert stories.pending() == []
    placed = {stories.story_of(s.id) for s in store.list()}
    assert sum(len(stories.get(i).articles) for i in placed) == 2


def test_teaser_entries_fetch_the_page_and_keep_entry_metadata(
    web: WebServer, store: Store, fetch_settings: Settings
) -> None:
    url = serve_feed(web, "/atom", atom(["bridge", "festival"]), "application/atom+xml")
    serve_pages(web, "bridge", "festival")
    subscribe(store, url, "Atom Times")
    reports = Poller(store, fetch_settings).poll()
    assert reports[0].added == 2, reports
    bridge = next(s for s in store.list() if "bridge" in s.title)
    assert bridge.title == "Atom title bridge"  # the entry's title, not the page's
    assert bridge.article.author == "Bo Writer"
    assert bridge.article.published is not None
    assert bridge.article.published.isoformat().startswith("2024-02-01T08:00")
    assert "paragraph 5" in bridge.text
    assert "newsletter" not in bridge.text
    assert "Sport" not in bridge.text


def test_unchanged_feed_costs_one_request(
    web: WebServer, store: Store, fetch_settings: Settings
) -> None:
    body = rss([("g1", "harbour", True)]).replace(b"{base}", web.url("").encode())

    def feed(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"abc"':
            return Reply(304)
        return Reply(200, body, {"ETag": '"abc"', "Content-Type": "application/rss+xml"})

    web.routes["/rss"] = feed
    subscribe(store, web.url("/rss"))
    poll_all(store, fetch_settings)
    before = len(web.seen)
    poller = poll_all(store, fetch_settings)
    assert poller.requests == 2  # robots.txt (new run) and the feed, answered 304
    assert web.seen[before + 1].headers["if-none-match"] == '"abc"'
    assert feed_store.list_feeds(store)[0].last_status == "not modified"
    assert store.count() == 1


def test_feed_that_changes_between_polls_adds_only_new_entries(
    web: WebServer, store: Store, fetch_settings: Settings
) -> None:
    serve_pages(web, "bridge", "festival", "river")
    url = serve_feed(web, "/atom", atom(["bridge", "festival"]), "application/atom+xml")
    subscribe(store, url)
    poll_all(store, fetch_settings)
    serve_feed(web, "/atom", atom(["bridge", "festival", "river"]), "application/atom+xml")
    before = len(web.seen)
    poller = Poller(store, fetch_settings)
    reports = poller.poll(feed_store.list_feeds(store))
    assert (reports[0].added, reports[0].existing) == (1, 0)
    assert [s.path for s in web.seen[before:] if s.path.startswith("/articles/")] == [
        "/articles/river"
    ]
    assert store.count() == 3
    assert feed_store.list_feeds(store)[0].articles_added == 3


def test_same_article_in_two_feeds_is_stored_once(
    web: WebServer, store: Store, fetch_settings: Settings
) -> None:
    serve_pages(web, "bridge")
    one = serve_feed(web, "/atom", atom(["bridge"]), "application/atom+xml")
    two = serve_feed(web, "/rss", rss([("x1", "bridge", False)]))
    subscribe(store, one, "One")
    subscribe(store, two, "Two")
    poll_all(store, fetch_settings)
    assert store.count() == 1
    assert web.paths().count("/articles/bridge") == 1


def test_failing_page_is_recorded_and_retried(
    web: WebServer, store: Store, fetch_settings: Settings
) -> None:
    serve_pages(web, "bridge")
    url = serve_feed(web, "/atom", atom(["bridge", "river"]), "application/atom+xml")
    subscribe(store, url)
    poll_all(store, fetch_settings)
    feed = feed_store.list_feeds(store)[0]
    assert feed.last_status == "ok"
    assert feed.last_error is not None
    assert "1 entries failed" in feed.last_error
    assert "HTTP 404" in feed.last_error
    assert store.count() == 1
    serve_pages(web, "river")
    poll_all(store, fetch_settings)
    assert store.count() == 2
    assert feed_store.list_feeds(store)[0].last_error is None


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>
<description>&lol9;</description><link>http://example.com/x</link></item></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title></channel></rss>"""


@pytest.mark.parametrize(
    ("body", "headers", "error"),
    [
        (b"<rss version='2.0'><channel><item><title>cut off", {}, "malformed XML"),
        (BILLION_LAUGHS, {}, "declares XML entities"),
        (EXTERNAL_ENTITY, {}, "declares XML entities"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, {"Content-Type": "image/png"}, "image/png"),
        (b"<html><body><p>hi</p></body></html>", {"Content-Type": "text/html"}, "text/html"),
        (
            b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            b"<title>caf\xe9 \xff\xfe</title></channel></rss>",
            {},
            "malformed XML",
        ),
        (
            gzip.compress(b"<rss>" + b" " * 5_000_000, 9),
            {"Content-Encoding": "gzip"},
            "larger than",
        ),
        (b"", {}, "empty"),
        (b'{"not": "a feed"}', {"Content-Type": "application/json"}, "not a valid feed"),
    ],
    ids=[
        "malformed",
        "billion-laughs",
        "external-entity",
        "wrong-type",
        "html-page",
        "invalid-encoding",
        "gzip-bomb",
        "empty",
        "json",
    ],
)
def test_hostile_or_broken_feeds_are_recorded_errors(
    web: WebServer,
    store: Store,
    fetch_settings: Settings,
    body: bytes,
    headers: dict[str, str],
    error: str,
) -> None:
    web.routes["/feed"] = Reply(200, body, headers)
    subscribe(store, web.url("/feed"))
    started = time.monotonic()
    reports = Poller(store, fetch_settings).poll()
    assert time.monotonic() - started < 10  # a guard against hangs, not a benchmark
    assert reports[0].status == "error"
    feed = feed_store.list_feeds(store)[0]
    assert feed.last_status == "error"
    assert feed.error_count == 1
    assert feed.last_error is not None
    assert error in feed.last_error
    assert store.count() == 0


def test_feed_redirecting_to_a_private_address_is_refused(
    web: WebServer, store: Store, fetch_settings: Settings
) -> None:
    web.routes["/feed"] = Reply(302, headers={"Location": "http://192.168.1.1/feed.xml"})
    subscribe(store, web.url("/feed"))
    Poller(store, fetch_settings).poll()
    feed = feed_store.list_feeds(store)[0]
    assert feed.last_error is not None
    assert "non-public address 192.168.1.1" in feed.last_error


def test_failing_feed_backs_off_and_counts_errors(
    web: WebServer, store: Store, fetch_settings: Settings
) -> None:
    web.routes["/feed"] = Reply(404)
    subscribe(store, web.url("/feed"))
    poll_all(store, fetch_settings)
    poll_all(store, fetch_settings)
    feed = feed_store.list_feeds(store)[0]
    assert (feed.error_count, feed.last_error) == (2, f"{web.url('/feed')}: HTTP 404")
    assert (feed.next_due_at - feed.last_fetched_at).total_seconds() == pytest.approx(3600)  # type: ignore[operator]
    assert feed_store.due_feeds(store, feed.last_fetched_at) == []  # type: ignore[arg-type]


def test_run_forever_polls_until_stopped(
    web: WebServer, store: Store, fetch_settings: Settings
) -> None:
    url = serve_feed(web, "/rss", rss([("g1", "harbour", True)]))
    subscribe(store, url)
    stop = threading.Event()
    thread = threading.Thread(target=Poller(store, fetch_settings).run_forever, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 10
    while store.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert store.count() == 1


def test_parse_feed_rss_1_and_0_91() -> None:
    rdf = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://e.com/"><title>RDF</title>
    <link>http://e.com/</link><description>d</description></channel>
    <item rdf:about="http://e.com/1"><title>One</title><link>http://e.com/1</link></item></rdf:RDF>"""
    parsed = parse_feed(rdf, "rdf")
    assert parsed.title == "RDF"
    assert [(e.title, e.link, e.teaser) for e in parsed.entries] == [
        ("One", "http://e.com/1", True)
    ]
    old = b"""<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
    "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>Old</title><link>http://e.com/</link>
    <item><title>Two</title><link>http://e.com/2</link></item></channel></rss>"""
    assert parse_feed(old, "old").entries[0].key == "http://e.com/2"
    with pytest.raises(InputError, match="not an RSS"):
        parse_feed(b"<html><p>no</p></html>", "page")


def test_normalise_url_strips_tracking() -> None:
    assert (
        normalise_url("HTTPS://News.Example.com:443/a?utm_source=x&id=3&fbclid=y#top")
        == "https://news.example.com/a?id=3"
    )
    assert normalise_url("http://example.com") == "http://example.com/"


def test_opml_round_trip_and_refusals() -> None:
    subs = [Subscription("https://e.com/rss", "E & Co"), Subscription("https://f.com/atom", None)]
    text = render_opml(subs)
    back = parse_opml(text.encode(), "x.opml")
    assert back == [
        Subscription("https://e.com/rss", "E & Co"),
        Subscription("https://f.com/atom", "https://f.com/atom"),
    ]
    with pytest.raises(InputError, match="DTD"):
        parse_opml(EXTERNAL_ENTITY.replace(b"rss", b"opml"), "x.opml")
    with pytest.raises(InputError, match="not OPML"):
        parse_opml(b"<rss/>", "x.opml")
