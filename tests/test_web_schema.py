"""Property-based API tests generated from the OpenAPI schema: no input gives a 500.

A bounded number of examples per operation keeps this to seconds.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from precis.config import Settings
from precis.pipeline import assign_stories
from precis.store import Store
from precis.web import create_app
from web_helpers import TOKEN, fill

EXAMPLES = 30  # per operation: enough to reach the bounds of every parameter, in ~10 s


def _app() -> object:
    """Built at import (schemathesis reads the schema at collection); removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="precis-schema-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'precis.db'}"
    store = Store.open(url)
    settings = Settings.load({}, database_url=url, api_token=TOKEN)
    fill(store)
    assign_stories(store, None, settings)  # so the story endpoints have stories to show
    return create_app(settings, store)


@schemathesis.serializer("application/x-ndjson")
def _ndjson(_ctx: object, value: object) -> bytes:
    return str(value).encode("utf-8", "surrogatepass")


schema = schemathesis.openapi.from_asgi("/api/openapi.json", _app())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_errors(case: schemathesis.Case) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"} if case.method == "POST" else None
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert body["ok"] is False, body
        assert body["status"] == response.status_code, body
