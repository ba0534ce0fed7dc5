"""End to end in a real browser: Debian's Chromium driven by Playwright, against the real
uvicorn server on 127.0.0.1 over a temporary database.

Needs /usr/bin/chromium (``scripts/ensure-chromium`` installs it; ``make test`` runs that
first). Browsers are never downloaded. Saves screenshots to docs/screenshots/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from precis.config import Settings
from precis.store import Store
from precis.web import create_app
from web_helpers import fill

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STORY_MODULE_PRESENT = False  # no precis.cluster on this branch: the story step is skipped

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs /usr/bin/chromium: run scripts/ensure-chromium"
)
playwright_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(settings: Settings, store: Store) -> Iterator[str]:
    fill(store)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, store), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 820, "height": 1000})
        # Anything not served by our own server is a failure: block and record it.
        outside: list[str] = []

        def guard(route: Any) -> None:
            url = route.request.url
            if url.startswith(server):
                route.continue_()
            else:
                outside.append(url)
                route.abort()

        context.route("**/*", guard)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        yield tab
        assert not outside, f"pages fetched from outside the server: {outside}"
        assert not errors, f"script errors: {errors}"
        browser.close()


def test_read_summarize_navigate_search(server: str, page: Any) -> None:
    tab = page  # a playwright.sync_api.Page
    expect = playwright_api.expect
    tab.goto(server + "/")
    expect(tab.locator("h1").first).to_have_text("Latest articles")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)

    # The hostile article: its <script> and onerror= are text, never run.
    tab.get_by_role("link", name="Dock strike").click()
    expect(tab.locator("article h1")).to_contain_text("<script>window.__pwned")
    assert tab.evaluate("window.__pwned === undefined")
    assert tab.title().startswith("Dock strike <script>")  # text, not 'pwned'

    tab.get_by_role("link", name="No time to read? Get a summary").click()
    summary = tab.locator("#summary-list li")
    expect(summary.first).to_be_visible()
    highlighted = tab.locator(".text .s.hl")
    expect(highlighted).to_have_count(summary.count())
    assert "?summary" not in tab.url  # no page reload
    count = summary.count()
    tab.get_by_role("link", name="Shorter").click()
    expect(summary).to_have_count(max(1, count - 1))
    expect(highlighted).to_have_count(max(1, count - 1))
    first_link = summary.first.locator("a")
    target = first_link.get_attribute("href")
    first_link.click()
    assert tab.url.endswith(target)
    tab.screenshot(path=str(SCREENSHOTS / "article-summary.png"), full_page=True)
    assert tab.evaluate("window.__pwned === undefined")

    tab.locator("#next-article").click()
    expect(tab.locator("article h1")).to_have_text("Port reopens after strike")

    tab.get_by_role("searchbox", name="Search").fill("dock workers")
    tab.get_by_role("searchbox", name="Search").press("Enter")
    expect(tab.locator(".results .item")).to_have_count(2)
    expect(tab.locator(".results mark").first).to_have_text("Dock", ignore_case=True)
    tab.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)

    # A query that is markup stays text.
    tab.goto(server + "/search?q=%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D3%22%3E")
    assert tab.evaluate("window.__pwned === undefined")

    if not STORY_MODULE_PRESENT:
        # Story step skipped: this branch has no story engine (precis.cluster) yet; the
        # story page is wired through precis.web.stories.StoryProvider at merge.
        return
