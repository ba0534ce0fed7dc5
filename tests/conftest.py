"""Shared fixtures: a temporary store, settings pointing at it, and a CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from precis.cli import cli
from precis.config import Settings
from precis.store import Store
from webserver import WebServer

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "news"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'precis.db'}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings.load({}, database_url=db_url)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url) as opened:
        yield opened


class Precis:
    """Runs ``precis --db <tmp> ...`` in-process; stderr is kept apart from stdout."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None) -> Result:
        return self.runner.invoke(
            cli, ["--db", self.db_url, *args], input=input, catch_exceptions=False
        )


@pytest.fixture
def precis(db_url: str) -> Precis:
    return Precis(db_url)


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def web() -> Iterator[WebServer]:
    """A real HTTP server on 127.0.0.1 whose replies the test scripts."""
    with WebServer() as server:
        yield server


# Small limits keep the fetch tests fast; 127.0.0.1 is allow-listed for the test server.
FETCH_TEST_SETTINGS: dict[str, object] = {
    "fetch_allow": ("127.0.0.1",),
    "fetch_timeout": 1.0,
    "max_response_bytes": 200_000,
    "fetch_backoff": 0.01,
    "max_retry_wait": 2.0,
    "host_delay": 0.0,
    "host_concurrency": 4,
    "fetch_workers": 4,
}


@pytest.fixture
def fetch_settings(db_url: str) -> Settings:
    return Settings.load({}, database_url=db_url, **FETCH_TEST_SETTINGS)


@pytest.fixture(scope="session")
def analyzer() -> object:
    """The spaCy-backed entity/quote analyzer, loaded once per test session."""
    from precis.entities import Analyzer

    return Analyzer()
