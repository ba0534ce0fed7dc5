"""``precis serve`` starts the real server: run it as a subprocess and fetch a page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import ROOT, Precis


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
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "precis serve did not answer within 20 s"
            time.sleep(0.1)
