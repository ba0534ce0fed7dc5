"""``precis serve`` starts the real server: run it as a subprocess and fetch a page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from conftest import ROOT, Precis
from precis.store import Store
from precis.store.schema import feeds
from test_feeds import rss, serve_feed
from webserver import WebServer

DUE_AFTER = 12.0  # seconds: longer than two uvicorn workers take to start (up to ~8 s here)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_help_lists_options(precis: Precis) -> None:
    result = precis("serve", "--help")
    assert result.exit_code == 0, result.output
    for option in ("--host", "--port", "--workers"):
        assert option in result.output


def test_serve_answers_pages_and_api(precis: Precis, db_url: str, tmp_path: Path) -> None:
    added = precis(
        "add", "-", input="Ferry delayed by fog\n\nThe morning ferry was delayed by fog."
    )
    assert added.exit_code == 0, added.output
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "precis", "--db", db_url, "serve", "--port", str(port)]
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE) as server:
        try:
            body = _get(f"http://127.0.0.1:{port}/", server)
            assert "Ferry delayed by fog" in body
            assert '"ok":true' in _get(f"http://127.0.0.1:{port}/api/articles", server)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _get(url: str, server: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "precis serve did not answer within 60 s"
            time.sleep(0.1)


def test_serve_with_workers_polls_feeds_in_one_process(
    precis: Precis, db_url: str, web: WebServer
) -> None:
    """Two workers and the parent: the feed is fetched once, not once per process."""
    feed = serve_feed(web, "/feed.xml", rss([("g1", "harbour", True), ("g2", "river", True)]))
    assert precis("feed", "add", feed, "--name", "Gazette").exit_code == 0
    # Due only once every process is up, so every poller there is would fetch it.
    with Store.open(db_url) as store:
        due = datetime.now(UTC) + timedelta(seconds=DUE_AFTER)
        with store.engine.begin() as conn:
            conn.execute(sa.update(feeds).values(next_due_at=due))
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "PRECIS_FETCH_ALLOW": "127.0.0.1",
        "PRECIS_HOST_DELAY": "0",
    }
    command = [sys.executable, "-m", "precis", "--db", db_url, "serve", "--port", str(port)]
    with subprocess.Popen([*command, "--workers", "2"], env=env, stderr=subprocess.PIPE) as server:
        try:
            deadline = time.monotonic() + 30
            while '"articles_added":2' not in _get(f"http://127.0.0.1:{port}/api/feeds", server):
                assert time.monotonic() < deadline, "the feed was not polled within 30 s"
                time.sleep(0.2)
            # Every worker is up and answering by now; a second poller would have fetched.
            for _ in range(8):
                _get(f"http://127.0.0.1:{port}/sources", server)
            time.sleep(1.0)
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert web.paths().count("/feed.xml") == 1


def test_serve_no_poll_leaves_feeds_alone(precis: Precis, db_url: str, web: WebServer) -> None:
    feed = serve_feed(web, "/feed.xml", rss([("g1", "harbour", True)]))
    assert precis("feed", "add", feed).exit_code == 0
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PRECIS_FETCH_ALLOW": "127.0.0.1"}
    command = [sys.executable, "-m", "precis", "--db", db_url, "serve", "--port", str(port)]
    with subprocess.Popen([*command, "--no-poll"], env=env, stderr=subprocess.PIPE) as server:
        try:
            assert "Feed title" not in _get(f"http://127.0.0.1:{port}/", server)
            time.sleep(1.0)
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert web.seen == []
