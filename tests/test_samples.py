"""The bundled sample corpus ingests cleanly: every article stored, no boilerplate left."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SAMPLES
from precis.config import Settings
from precis.pipeline import ingest, summarize_stored
from precis.store import Store
from precis.summarize import Length
from precis.summarize.base import DEFAULT_SENTENCES

BOILERPLATE = re.compile(
    r"no time to read|get a summary|previous article|next article|share this article|"
    r"subscribe to our newsletter|accept cookies|we use cookies|in your inbox|"
    r"unsubscribe any time|^advertisement$",
    re.IGNORECASE | re.MULTILINE,
)


def _gold_count() -> int:
    gold = json.loads((SAMPLES.parent / "stories.json").read_text("utf-8"))
    return sum(len(story["files"]) for story in gold["stories"])


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("samples") / "sample.db"
    store = Store.open(f"sqlite:///{path}")
    report = ingest(store, [str(SAMPLES)], Settings.load({}, database_url=f"sqlite:///{path}"))
    assert report.ok, [e.message for e in report.failed]
    return store


def test_every_sample_article_is_stored(sample_store: Store) -> None:
    assert sample_store.count() == _gold_count()


def test_no_navigation_or_promo_lines_survive(sample_store: Store) -> None:
    for stored in sample_store.iter_all():
        found = BOILERPLATE.search(stored.text)
        assert found is None, f"#{stored.id} {stored.title!r} keeps {found.group(0)!r}"


def test_metadata_comes_through(sample_store: Store) -> None:
    for stored in sample_store.iter_all():
        assert stored.article.source, stored.title
        assert stored.article.published is not None, stored.title
        assert stored.article.url, stored.title
        assert stored.article.url.startswith("https://"), stored.title


def test_every_sample_summary_quotes_its_article(sample_store: Store) -> None:
    for stored in sample_store.iter_all():
        _, summary = summarize_stored(sample_store, stored.id, Length(), "precis")
        # auto length: about 3 sentences, one more when they are short (Length's docstring)
        assert 1 <= len(summary.sentences) <= DEFAULT_SENTENCES + 1
        for sentence in summary.sentences:
            assert stored.text[sentence.start : sentence.end] == sentence.text
