"""Shared fixtures: a temporary store, settings pointing at it, and a CLI runner."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from pgserver import PostgresUnavailable, TempPostgres
from precis.cli import cli
from precis.config import Settings
from precis.store import Store
from precis.web import create_app
from web_helpers import fill
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


# The reader's tests (test_web*.py): a store filled with ``web_helpers.fill`` and a
# client over the ASGI app. A module with other articles overrides ``ids``/``client``.
@pytest.fixture
def ids(store: Store) -> list[int]:
    return fill(store)


@pytest.fixture
def client(settings: Settings, store: Store, ids: list[int]) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as c:
        yield c


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


# -- PostgreSQL ----------------------------------------------------------------------------
# One private server per test session (tests/pgserver.py); each test gets a fresh database.
# In CI (CI=true) a test that needs PostgreSQL fails when the server cannot start: a suite
# that silently skips PostgreSQL in CI is a defect. Locally it skips with the reason.

BACKENDS = ("sqlite", "postgresql")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TempPostgres | str]:
    """The running server, or the reason it could not start (a string)."""
    try:
        server = TempPostgres.start(install=_in_ci())
    except (PostgresUnavailable, OSError, KeyError) as exc:
        yield f"PostgreSQL unavailable: {exc}"
        return
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: TempPostgres | str) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    if isinstance(postgres_server, str):
        if _in_ci():
            pytest.fail(postgres_server)
        pytest.skip(postgres_server)
    return postgres_server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL on each backend in turn."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'any.db'}"


@pytest.fixture
def any_store(backend_url: str) -> Iterator[Store]:
    """A migrated store on SQLite and on PostgreSQL."""
    with Store.open(backend_url) as opened:
        yield opened
