"""Regenerate the README's screenshots (docs/screenshots/) from the bundled sample corpus.

Run from the repository root (needs /usr/bin/chromium; ``scripts/ensure-chromium``)::

    PYTHONPATH=src .venv/bin/python scripts/screenshots.py

It ingests samples/news into a temporary SQLite database (stories are assigned at
ingest, as with ``precis add``), serves the reader on 127.0.0.1 and photographs home,
a story, an article with its summary and a search, at a desktop and a phone width.

The Pier 9 story page is the one that shows sources disagreeing (12 vs 14 injured). If
the automatic grouping ever leaves The Daily Ledger's "14 hurt" report (its wording
differs most from the others) outside that story, it is moved in first, exactly as a
reader would with ``precis story move``, and the page then says so. The story's articles are analysed for entities first, so its page
shows the "Who said what across outlets" panel.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from precis.config import Settings
from precis.pipeline import analyse_entities, ingest, story_store
from precis.store import Store
from precis.web import create_app

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FIRE = "Massive fire destroys Pier 9 warehouse"  # the Harbor Herald's headline
LEDGER_FIRE = "14 hurt as blaze guts Harbor City port warehouse"  # The Daily Ledger's


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def article_id(store: Store, title: str) -> int:
    for stored in store.iter_all():
        if stored.article.title.startswith(title):
            return stored.id
    raise SystemExit(f"no sample article titled {title!r}: has samples/news changed?")


def build(folder: Path, samples: Path) -> tuple[Settings, Store, int]:
    url = f"sqlite:///{folder / 'precis.db'}"
    settings = Settings.load({}, database_url=url)
    store = Store.open(url)
    report = ingest(store, [str(samples)], settings)
    if not report.ok:
        raise SystemExit(f"ingest failed: {[e.message for e in report.failed]}")
    stories = story_store(store, settings)
    fire = stories.story_of(article_id(store, FIRE))
    ledger = article_id(store, LEDGER_FIRE)
    if stories.story_of(ledger) != fire:
        stories.move(ledger, fire)
    # Who said what across outlets: analyse the story's articles (loads spaCy once).
    analyse_entities(store, [a.id for a in stories.get(fire).articles], model=settings.spacy_model)
    return settings, store, fire


def serve(settings: Settings, store: Store) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    app = create_app(settings, store, poll_feeds=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("uvicorn did not start")
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


def shoot(base: str, out: Path, fire: int) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    written: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        for suffix, viewport in (("", DESKTOP), ("-phone", PHONE)):
            tab: Any = browser.new_context(viewport=viewport).new_page()

            def save(name: str, tab: Any = tab, suffix: str = suffix) -> None:
                path = out / f"{name}{suffix}.png"
                tab.screenshot(path=str(path), full_page=True)
                written.append(path)

            tab.goto(base + "/")
            save("home")
            tab.goto(f"{base}/stories/{fire}")
            expect(tab.locator("#story-summary-list li").first).to_be_visible()
            save("story")
            tab.get_by_role("link", name=FIRE).first.click()
            tab.get_by_role("link", name="No time to read? Get a summary").click()
            expect(tab.locator("#summary-list li").first).to_be_visible()
            tab.evaluate("window.scrollTo(0, 0)")
            save("article-summary")
            tab.goto(base + "/search?q=warehouse+fire")
            save("search")
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--samples", type=Path, default=ROOT / "samples" / "news")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"needs {CHROMIUM}: run scripts/ensure-chromium", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="precis-shots-") as tmp:
        settings, store, fire = build(Path(tmp), args.samples)
        server, thread, base = serve(settings, store)
        try:
            for path in shoot(base, args.out, fire):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            store.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
