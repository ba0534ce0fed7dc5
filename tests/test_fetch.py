"""The HTTP fetcher against a real server on 127.0.0.1: limits, retries, redirects, safety."""

from __future__ import annotations

import gzip
import ipaddress
import threading

import pytest

from precis.config import Settings
from precis.errors import FetchError, InputError
from precis.ingest.fetch import Fetcher, FetchOptions, page_text, retry_after
from precis.ingest.netguard import AddressPolicy
from precis.poller import fetch_options
from webserver import Reply, Seen, WebServer


def fetcher(settings: Settings, **changes: object) -> Fetcher:
    options = fetch_options(settings)
    values = {name: getattr(options, name) for name in options.__dataclass_fields__}
    values.update(changes)
    return Fetcher(FetchOptions(**values))  # type: ignore[arg-type]


def test_fetch_sends_user_agent_and_returns_body(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/page"] = Reply(200, b"<p>hello</p>", {"Content-Type": "text/html; charset=utf-8"})
    with fetcher(fetch_settings, user_agent="precis-test/1") as f:
        result = f.fetch(web.url("/page"))
    assert result.content == b"<p>hello</p>"
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    page = next(s for s in web.seen if s.path == "/page")
    assert page.headers["user-agent"] == "precis-test/1"


def test_conditional_get_returns_not_modified(web: WebServer, fetch_settings: Settings) -> None:
    def feed(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(
            200, b"<rss/>", {"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}
        )

    web.routes["/feed"] = feed
    with fetcher(fetch_settings) as f:
        first = f.fetch(web.url("/feed"))
        second = f.fetch(web.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert first.etag == '"v1"'
    assert not first.not_modified
    assert second.not_modified
    assert second.content == b""
    assert [s.headers.get("if-modified-since") for s in web.seen if s.path == "/feed"] == [
        None,
        "Mon, 01 Jan 2024 00:00:00 GMT",
    ]


def test_huge_response_is_refused(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/huge"] = Reply(200, b"x" * 1_000_000, {"Content-Type": "text/html"})
    with fetcher(fetch_settings) as f, pytest.raises(FetchError, match="larger than 200000"):
        f.fetch(web.url("/huge"))


def test_endless_stream_is_cut_off(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/endless"] = Reply(200, headers={"Content-Type": "text/html"}, endless=True)
    with fetcher(fetch_settings) as f, pytest.raises(FetchError, match="larger than"):
        f.fetch(web.url("/endless"))


def test_slow_drip_response_hits_the_deadline(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/slow"] = Reply(200, b"<p>" + b"x" * 200 + b"</p>", drip=0.02)
    with (
        fetcher(fetch_settings, timeout=0.3) as f,
        pytest.raises(FetchError, match=r"longer than 0\.3 s"),
    ):
        f.fetch(web.url("/slow"))


def test_stalled_server_times_out(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/stall"] = Reply(200, b"x" * 10, drip=2.0)
    with fetcher(fetch_settings, timeout=0.3) as f, pytest.raises(FetchError, match="timed out"):
        f.fetch(web.url("/stall"))


def test_gzip_bomb_stops_at_the_cap(web: WebServer, fetch_settings: Settings) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000, 9)  # 5 MB of zeros in ~5 KB; the cap is 200 KB
    assert len(bomb) < 100_000
    web.routes["/bomb"] = Reply(
        200, bomb, {"Content-Encoding": "gzip", "Content-Type": "text/html"}
    )
    with fetcher(fetch_settings) as f, pytest.raises(FetchError, match="larger than"):
        f.fetch(web.url("/bomb"))


def test_gzip_body_is_decoded(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/gz"] = Reply(200, gzip.compress(b"<p>zipped</p>"), {"Content-Encoding": "gzip"})
    with fetcher(fetch_settings) as f:
        assert f.fetch(web.url("/gz")).content == b"<p>zipped</p>"


def test_corrupt_gzip_is_an_error(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/bad"] = Reply(200, b"\x1f\x8bnot gzip at all", {"Content-Encoding": "gzip"})
    with fetcher(fetch_settings) as f, pytest.raises(FetchError, match="not valid gzip"):
        f.fetch(web.url("/bad"))


def test_redirects_are_followed(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/old"] = Reply(301, headers={"Location": "/new"})
    web.routes["/new"] = Reply(200, b"moved here")
    with fetcher(fetch_settings) as f:
        result = f.fetch(web.url("/old"))
    assert result.url == web.url("/new")
    assert result.content == b"moved here"


def test_redirect_loop_is_refused(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/a"] = Reply(302, headers={"Location": "/b"})
    web.routes["/b"] = Reply(302, headers={"Location": "/a"})
    with fetcher(fetch_settings) as f, pytest.raises(FetchError, match="redirect loop"):
        f.fetch(web.url("/a"))


def test_redirect_limit(web: WebServer, fetch_settings: Settings) -> None:
    for hop in range(10):
        web.routes[f"/r{hop}"] = Reply(302, headers={"Location": f"/r{hop + 1}"})
    with (
        fetcher(fetch_settings, max_redirects=3) as f,
        pytest.raises(FetchError, match="more than 3"),
    ):
        f.fetch(web.url("/r0"))
    assert web.paths().count("/r4") == 0


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:192.168.0.1]/",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
    ],
)
def test_redirect_to_a_private_address_is_refused(
    web: WebServer, fetch_settings: Settings, target: str
) -> None:
    web.routes["/jump"] = Reply(302, headers={"Location": target})
    with fetcher(fetch_settings) as f, pytest.raises(FetchError, match=r"refused|only http"):
        f.fetch(web.url("/jump"))


def test_loopback_is_refused_unless_allow_listed(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/page"] = Reply(200, b"secret")
    with fetcher(fetch_settings, allow=()) as f, pytest.raises(FetchError, match="non-public"):
        f.fetch(web.url("/page"))
    assert web.seen == []  # refused before connecting
    with fetcher(fetch_settings, allow=("127.0.0.0/8",)) as f:
        assert f.fetch(web.url("/page")).content == b"secret"


def test_allow_list_by_host_name_does_not_allow_other_names(
    web: WebServer, fetch_settings: Settings
) -> None:
    web.routes["/page"] = Reply(200, b"ok")
    web.routes["/jump"] = Reply(302, headers={"Location": web.url("/page")})
    jump = web.url("/jump").replace("127.0.0.1", "localhost")
    with (
        fetcher(fetch_settings, allow=("localhost",)) as f,
        pytest.raises(FetchError, match=r"non-public address 127\.0\.0\.1"),
    ):
        f.fetch(jump)
    assert web.paths() == ["/robots.txt", "/jump"]


def test_address_policy() -> None:
    policy = AddressPolicy.parse(["10.1.0.0/16", "intranet.example", " ::1 "])
    allowed = policy.address_allowed
    assert allowed(ipaddress.ip_address("93.184.216.34"))
    assert allowed(ipaddress.ip_address("10.1.2.3"))
    assert allowed(ipaddress.ip_address("::1"))
    assert policy.host_allowed("Intranet.Example.")
    for private in ("10.2.0.1", "127.0.0.1", "192.168.1.1", "172.16.0.1", "169.254.1.1",
                    "100.64.0.1", "0.0.0.0", "224.0.0.1", "fe80::1", "fc00::1",
                    "::ffff:127.0.0.1"):  # fmt: skip
        assert not allowed(ipaddress.ip_address(private)), private


def test_429_retry_after_is_honoured(web: WebServer, fetch_settings: Settings) -> None:
    replies = iter([Reply(429, headers={"Retry-After": "1"}), Reply(200, b"finally")])
    web.routes["/busy"] = lambda seen: next(replies)
    waits: list[float] = []
    options = fetch_options(fetch_settings)
    with Fetcher(options, sleep=waits.append) as f:
        assert f.fetch(web.url("/busy")).content == b"finally"
    assert waits == [1.0]


def test_5xx_backs_off_exponentially_then_gives_up(
    web: WebServer, fetch_settings: Settings
) -> None:
    web.routes["/down"] = Reply(503)
    waits: list[float] = []
    options = fetch_options(fetch_settings)
    with (
        Fetcher(options, sleep=waits.append) as f,
        pytest.raises(FetchError, match="HTTP 503 after 3"),
    ):
        f.fetch(web.url("/down"))
    assert waits == [0.01, 0.02]
    assert web.paths().count("/down") == 3


def test_long_retry_after_fails_without_waiting(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/later"] = Reply(429, headers={"Retry-After": "3600"})
    waits: list[float] = []
    with (
        Fetcher(fetch_options(fetch_settings), sleep=waits.append) as f,
        pytest.raises(FetchError, match="retry after 3600 s"),
    ):
        f.fetch(web.url("/later"))
    assert waits == []


def test_retry_after_parsing() -> None:
    assert retry_after("120") == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after("soon") is None
    assert retry_after(None) is None


def test_robots_txt_is_respected_and_read_once(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private/\n")
    web.routes["/public"] = Reply(200, b"ok")
    web.routes["/private/x"] = Reply(200, b"no")
    with fetcher(fetch_settings) as f:
        assert f.fetch(web.url("/public")).content == b"ok"
        assert f.fetch(web.url("/public")).content == b"ok"
        with pytest.raises(FetchError, match=r"robots\.txt disallows"):
            f.fetch(web.url("/private/x"))
    assert web.paths() == ["/robots.txt", "/public", "/public"]


def test_robots_txt_server_error_disallows(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/robots.txt"] = Reply(500)
    web.routes["/page"] = Reply(200, b"ok")
    with fetcher(fetch_settings, retries=0) as f, pytest.raises(FetchError, match="robots"):
        f.fetch(web.url("/page"))


def test_per_host_concurrency_limit(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/slow"] = Reply(200, b"abcdefghij", drip=0.01)
    with fetcher(fetch_settings, host_concurrency=1) as f:
        threads = [threading.Thread(target=f.fetch, args=(web.url("/slow"),)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert web.paths().count("/slow") == 4
    assert web.max_in_flight == 1


def test_per_host_delay_spaces_requests(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/a"] = Reply(200, b"a")
    waits: list[float] = []
    options = fetch_options(Settings.load({}, **{**vars_of(fetch_settings), "host_delay": 5.0}))
    with Fetcher(options, sleep=waits.append) as f:
        f.fetch(web.url("/a"))  # robots.txt, then /a: the second start waits
    assert len(waits) == 1
    assert 4.0 < waits[0] <= 5.0


def vars_of(settings: Settings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


def test_page_with_lying_charset_is_refused(web: WebServer, fetch_settings: Settings) -> None:
    web.routes["/latin"] = Reply(
        200, "<p>café</p>".encode("latin-1"), {"Content-Type": "text/html; charset=utf-8"}
    )
    web.routes["/png"] = Reply(200, b"\x89PNG\r\n", {"Content-Type": "image/png"})
    web.routes["/odd"] = Reply(200, b"<p>x</p>", {"Content-Type": "text/html; charset=klingon"})
    with fetcher(fetch_settings) as f:
        with pytest.raises(InputError, match="not valid utf-8"):
            page_text(f.fetch(web.url("/latin")))
        with pytest.raises(InputError, match="image/png"):
            page_text(f.fetch(web.url("/png")))
        with pytest.raises(InputError, match="unknown charset"):
            page_text(f.fetch(web.url("/odd")))
