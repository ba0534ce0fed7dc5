"""Polite, bounded HTTP fetching of feeds and pages with httpx.

Every fetch is bounded: one deadline for the whole response, a cap on the decoded body
(decompression is done here, chunk by chunk with ``max_length``, so a gzip bomb stops at
the cap instead of filling memory), a redirect limit with every hop checked by
``netguard``, and bounded retries on 429/5xx that honour ``Retry-After``. Each host gets
a concurrency limit and a delay between requests, and robots.txt is read once per host
per ``Fetcher`` (one poll run). Conditional GET (ETag, Last-Modified) makes an unchanged
feed cost one short request.

A ``Fetcher`` holds its connection pool, host gates and robots cache; it is meant to live
for one run and be closed.
"""

from __future__ import annotations

import codecs
import email.utils
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from precis.errors import FetchError, InputError
from precis.ingest.decode import decode
from precis.ingest.netguard import AddressPolicy, BlockedAddress, GuardedTransport

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ROBOTS_MAX_BYTES = 512_000  # Google's limit for robots.txt is 500 KiB
CONNECT_TIMEOUT = 10.0  # seconds; a host that cannot accept a connection in 10 s is down
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})


@dataclass(frozen=True, slots=True)
class FetchOptions:
    user_agent: str = "precis"
    timeout: float = 30.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 1.0
    max_retry_wait: float = 60.0
    host_concurrency: int = 2
    host_delay: float = 1.0
    respect_robots: bool = True
    allow: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    status: int
    content: bytes
    content_type: str | None
    charset: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(slots=True)
class FetchStats:
    """Counters for one ``Fetcher``; updated under its lock."""

    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, size: int, seconds: float) -> None:
        with self._lock:
            self.requests += 1
            self.bytes += size
            self.seconds += seconds


class HostGate:
    """At most ``concurrency`` requests at once to one host, starts ``delay`` seconds apart."""

    def __init__(self, concurrency: int, delay: float, sleep: Callable[[float], None]) -> None:
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._delay = delay
        self._sleep = sleep

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self._delay
            if start > now:
                self._sleep(start - now)
            yield


class KeyedLocks:
    """One lock per key, so concurrent workers do the same work (a URL, a robots.txt) once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def __call__(self, key: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())


class Fetcher:
    def __init__(
        self, options: FetchOptions, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.options = options
        self.stats = FetchStats()
        self._sleep = sleep
        self._client = httpx.Client(
            transport=GuardedTransport(AddressPolicy.parse(options.allow)),
            timeout=httpx.Timeout(options.timeout, connect=min(CONNECT_TIMEOUT, options.timeout)),
            follow_redirects=False,
            headers={"User-Agent": options.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._lock = threading.Lock()
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, RobotFileParser] = {}
        self._robots_loading = KeyedLocks()
        self.claims = KeyedLocks()  # for callers: one worker per URL in this run

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
    ) -> FetchResult:
        """GET ``url`` following redirects; raises ``FetchError`` on any failure."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._follow(url, headers, self.options.max_bytes, robots=True)

    def _follow(
        self, url: str, headers: dict[str, str], max_bytes: int, *, robots: bool
    ) -> FetchResult:
        seen: set[str] = set()
        for _hop in range(self.options.max_redirects + 1):
            check_url(url)
            if url in seen:
                raise FetchError(url, "redirect loop")
            seen.add(url)
            if robots and self.options.respect_robots and not self._robots_allow(url):
                raise FetchError(url, "robots.txt disallows fetching this URL")
            result = self._with_retries(url, headers, max_bytes)
            if isinstance(result, str):
                url = urljoin(url, result)
                continue
            return result
        raise FetchError(url, f"more than {self.options.max_redirects} redirects")

    def _with_retries(self, url: str, headers: dict[str, str], max_bytes: int) -> FetchResult | str:
        """The result, or the next URL when the response is a redirect."""
        status = 0
        for attempt in range(self.options.retries + 1):
            outcome = self._once(url, headers, max_bytes)
            if not isinstance(outcome, RetryLater):
                return outcome
            status = outcome.status
            wait = outcome.after if outcome.after is not None else self.options.backoff * 2**attempt
            if attempt == self.options.retries:
                break
            if wait > self.options.max_retry_wait:
                raise FetchError(
                    url, f"HTTP {outcome.status}; the server asks to retry after {wait:.0f} s"
                )
            self._sleep(wait)
        raise FetchError(url, f"HTTP {status} after {self.options.retries + 1} attempts; try later")

    def _once(
        self, url: str, headers: dict[str, str], max_bytes: int
    ) -> FetchResult | str | RetryLater:
        started = time.monotonic()
        size = 0
        with self._gate(url).hold():
            try:
                request = self._client.build_request("GET", url, headers=headers)
                response = self._client.send(request, stream=True)
            except BlockedAddress as exc:
                raise FetchError(url, f"refused: {exc.reason}") from exc
            except httpx.TimeoutException as exc:
                raise FetchError(url, f"timed out ({type(exc).__name__})") from exc
            except httpx.HTTPError as exc:
                raise FetchError(url, f"cannot connect ({exc or type(exc).__name__})") from exc
            try:
                outcome = self._outcome(url, response, started, max_bytes)
                if isinstance(outcome, FetchResult):
                    size = len(outcome.content)
                return outcome
            finally:
                response.close()
                self.stats.record(size, time.monotonic() - started)

    def _outcome(
        self, url: str, response: httpx.Response, started: float, max_bytes: int
    ) -> FetchResult | str | RetryLater:
        status = response.status_code
        if status in REDIRECT_STATUSES:
            location: str | None = response.headers.get("location")
            if not location:
                raise FetchError(url, f"HTTP {status} redirect without a Location")
            return location
        if status in RETRY_STATUSES:
            return RetryLater(status, retry_after(response.headers.get("retry-after")))
        if status == 304:
            return _result(url, response, b"")
        if status != 200:
            raise FetchError(url, f"HTTP {status}")
        body = self._read_body(url, response, started, max_bytes)
        return _result(url, response, body)

    def _read_body(
        self, url: str, response: httpx.Response, started: float, max_bytes: int
    ) -> bytes:
        decoder = Decompressor.for_encoding(url, response.headers.get("content-encoding"))
        deadline = started + self.options.timeout
        out = bytearray()
        try:
            for chunk in response.iter_raw():  # as they arrive (a chunk_size would buffer)
                out += decoder.feed(chunk, max_bytes - len(out))
                if len(out) > max_bytes:
                    raise FetchError(url, f"response is larger than {max_bytes} bytes; refused")
                if time.monotonic() > deadline:
                    raise FetchError(
                        url, f"response took longer than {self.options.timeout:g} s; refused"
                    )
        except httpx.TimeoutException as exc:
            raise FetchError(url, "timed out while reading the response") from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"connection broke while reading ({exc})") from exc
        decoder.finish()
        return bytes(out)

    def _gate(self, url: str) -> HostGate:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = HostGate(self.options.host_concurrency, self.options.host_delay, self._sleep)
                self._gates[host] = gate
            return gate

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        with self._robots_loading(site):
            parser = self._robots.get(site)
            if parser is None:
                try:
                    parser = self._load_robots(site)
                except FetchError as exc:  # the site is unreachable or refused: say so
                    raise FetchError(url, exc.reason) from exc
                self._robots[site] = parser
        return parser.can_fetch(self.options.user_agent, url)

    def _load_robots(self, site: str) -> RobotFileParser:
        """RFC 9309: 4xx means no rules; 5xx means everything is disallowed for now."""
        parser = RobotFileParser(site + "/robots.txt")
        try:
            result = self._follow(site + "/robots.txt", {}, ROBOTS_MAX_BYTES, robots=False)
            parser.parse(result.content.decode("utf-8", errors="replace").splitlines())
        except FetchError as exc:
            if exc.reason.startswith("HTTP 4"):
                parser.parse([])  # no rules: everything allowed
            elif exc.reason.startswith("HTTP"):
                parser.parse(["User-agent: *", "Disallow: /"])
            else:
                raise
        return parser


@dataclass(frozen=True, slots=True)
class RetryLater:
    status: int
    after: float | None


class Decompressor:
    """Content-Encoding decoding whose output per step never exceeds the remaining budget."""

    def __init__(self, url: str, encoding: Literal["identity", "gzip", "deflate"]) -> None:
        self._url = url
        self._encoding = encoding
        self._zlib = None
        if encoding == "gzip":
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()

    @classmethod
    def for_encoding(cls, url: str, header: str | None) -> Decompressor:
        value = (header or "identity").strip().lower()
        if value in {"", "identity"}:
            return cls(url, "identity")
        if value in {"gzip", "x-gzip"}:
            return cls(url, "gzip")
        if value == "deflate":
            return cls(url, "deflate")
        raise FetchError(url, f"unsupported Content-Encoding {value!r}")

    def feed(self, chunk: bytes, budget: int) -> bytes:
        """Decode ``chunk``; stops once more than ``budget`` bytes came out."""
        if self._zlib is None:
            return chunk
        pieces: list[bytes] = []
        data = chunk
        try:
            while data and budget >= 0:
                piece = self._zlib.decompress(data, budget + 1)
                pieces.append(piece)
                budget -= len(piece)
                data = self._zlib.unconsumed_tail
        except zlib.error as exc:
            raise FetchError(self._url, f"body is not valid {self._encoding} ({exc})") from exc
        return b"".join(pieces)

    def finish(self) -> None:
        if self._zlib is not None and not self._zlib.eof and self._encoding == "gzip":
            raise FetchError(self._url, "gzip body is truncated")


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def check_url(url: str) -> None:
    """Only absolute http and https URLs with a host are fetched."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(url, f"is not a valid URL ({exc})") from exc
    if parts.scheme not in {"http", "https"}:
        raise FetchError(url, "only http and https URLs are fetched")
    if not parts.hostname:
        raise FetchError(url, "URL has no host")


def _result(url: str, response: httpx.Response, body: bytes) -> FetchResult:
    content_type, charset = media_type(response.headers.get("content-type"))
    return FetchResult(
        url=url,
        status=response.status_code,
        content=body,
        content_type=content_type,
        charset=charset,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def media_type(header: str | None) -> tuple[str | None, str | None]:
    """(``type/subtype`` lowercased, charset) from a Content-Type header."""
    if not header:
        return None, None
    kind, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return kind.strip().lower() or None, charset


def page_text(result: FetchResult) -> tuple[str, Literal["html", "text"]]:
    """The body of a fetched page as text, and whether it is HTML or plain text.

    A declared charset must decode the body exactly: a page that lies about its encoding
    is refused rather than stored with replacement characters.
    """
    kind = result.content_type
    if kind is not None and kind not in HTML_TYPES and kind not in TEXT_TYPES:
        raise InputError(result.url, f"is {kind}, not an HTML page or text")
    if result.charset:
        try:
            codecs.lookup(result.charset)
            text = result.content.decode(result.charset)
        except LookupError as exc:
            raise InputError(
                result.url, f"declares the unknown charset {result.charset!r}"
            ) from exc
        except UnicodeDecodeError as exc:
            raise InputError(
                result.url, f"declares charset {result.charset} but is not valid {result.charset}"
            ) from exc
        if not text.strip():
            raise InputError(result.url, "is empty; there is no article in it")
    else:
        text = decode(result.content, result.url)
    if kind in TEXT_TYPES:
        return text, "text"
    if kind is None and not text.lstrip().startswith("<"):
        return text, "text"
    return text, "html"
