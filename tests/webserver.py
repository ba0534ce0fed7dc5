"""A real HTTP server on 127.0.0.1 for fetch and feed tests, with scripted replies."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# An "endless" reply stops on its own after this much, so a broken test cannot hang.
ENDLESS_LIMIT = 200_000_000
ENDLESS_SECONDS = 10.0


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drip: float | None = None  # seconds between single bytes: a slow response
    endless: bool = False  # stream zeros until the client hangs up


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


Route = Reply | Callable[[Seen], Reply]


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-response is what several tests do on purpose."""


class WebServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Buffer headers and body into one send: two small writes meet delayed ACKs
            # (Nagle) and cost ~40 ms per response on loopback.
            wbufsize = 1 << 16

            def do_GET(self) -> None:
                server._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        return [seen.path for seen in self.seen]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        seen = Seen(handler.path, {k.lower(): v for k, v in handler.headers.items()})
        with self._lock:
            self.seen.append(seen)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            route = self.routes.get(handler.path)
            if route is None:
                reply = Reply(404, b"not found")
            else:
                reply = route(seen) if callable(route) else route
            _send(handler, reply)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self.in_flight -= 1

    def __enter__(self) -> WebServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    handler.send_response(reply.status)
    for name, value in reply.headers.items():
        handler.send_header(name, value)
    if reply.endless:
        handler.send_header("Connection", "close")
        handler.end_headers()
        for chunk in _endless():
            handler.wfile.write(chunk)
        return
    handler.send_header("Content-Length", str(len(reply.body)))
    handler.end_headers()
    if reply.drip is None:
        handler.wfile.write(reply.body)
        return
    for byte in reply.body:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(reply.drip)


def _endless() -> Iterator[bytes]:
    chunk = b"<p>" + b"x" * 65_000 + b"</p>"
    sent = 0
    started = time.monotonic()
    while sent < ENDLESS_LIMIT and time.monotonic() - started < ENDLESS_SECONDS:
        yield chunk
        sent += len(chunk)
