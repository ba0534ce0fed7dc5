"""Wires the stages together: inputs -> extraction -> store, and store -> summaries.

The only module (besides the store) with side effects; the CLI, the web app and the
batch runner go through it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

from precis.cluster.assign import Params
from precis.config import Settings
from precis.errors import InputError, StoreError
from precis.extract import Rules, extract
from precis.ingest.files import read_inputs, stored_raw
from precis.models import (
    Article,
    ParsedDocument,
    RawDocument,
    StoredArticle,
    Summary,
    SummarySentence,
)
from precis.store import AddResult, Store
from precis.store.filing import delete_article, refile_paragraphs, store_article
from precis.store.stories import StoryStore
from precis.store.storyregroup import Placed
from precis.summarize import Length, get_summarizer, summarize
from precis.text.sentences import parse, stored_split

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    added: list[tuple[str, AddResult]] = field(default_factory=list)
    existing: list[tuple[str, AddResult]] = field(default_factory=list)
    failed: list[InputError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


Progress = Callable[[str, AddResult | InputError], None]


def extract_inputs(
    paths: Iterable[str], settings: Settings, stdin: BinaryIO | None = None
) -> Iterable[Article | InputError]:
    """Read and extract every input; failures come through as ``InputError``s."""
    rules = Rules.load(settings.boilerplate_rules)
    for item in read_inputs(paths, settings.max_input_bytes, stdin):
        if isinstance(item, InputError):
            yield item
            continue
        yield extract_one(item, rules)


def extract_one(raw: RawDocument, rules: Rules) -> Article | InputError:
    try:
        return extract(raw, rules)
    except InputError as exc:
        return exc


def ingest(
    store: Store,
    paths: Iterable[str],
    settings: Settings,
    *,
    stdin: BinaryIO | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Store every article under ``paths``; each article is its own transaction, so an
    interruption leaves only whole articles behind and a re-run adds just the rest."""
    report = IngestReport()
    reopened: set[int] = set()
    for item in extract_inputs(paths, settings, stdin):
        if isinstance(item, InputError):
            report.failed.append(item)
            outcome: AddResult | InputError = item
            origin = item.origin
        else:
            outcome, others = store_article(store, item, settings.template_min_titles)
            reopened.update(others)
            origin = item.origin or "-"
            (report.added if outcome.created else report.existing).append((origin, outcome))
        if progress is not None:
            progress(origin, outcome)
    added = [result.id for _, result in report.added]
    assign_stories(store, sorted(reopened | set(added)), settings)
    return report


@dataclass(frozen=True, slots=True)
class Reextracted:
    """What ``precis reextract`` did to one article."""

    id: int
    state: Literal["changed", "unchanged", "failed"]
    detail: str = ""
    # other articles of its site reopened: it made one of their paragraphs the site's
    others: tuple[int, ...] = ()


def reextract(store: Store, settings: Settings, ids: Sequence[int] = ()) -> Iterator[Reextracted]:
    """Run extraction again over the raw input kept with each article (all when ``ids`` is
    empty) and store what changed. An article whose raw input no longer extracts keeps
    its current text. Articles whose text, title or site template changed (and those
    of their sites it reopened) are placed in stories again (``StoryStore.refile``),
    ``REFILE_EVERY`` at a time, so their stories rest on the text now stored."""
    rules = Rules.load(settings.boilerplate_rules)
    targets = (store.get(article_id) for article_id in ids) if ids else store.iter_all()
    changed: list[int] = []
    for stored in targets:
        outcome = reextract_one(store, stored, rules, settings.template_min_titles)
        if outcome.state == "changed":
            changed.append(outcome.id)
        changed += outcome.others
        if len(changed) >= REFILE_EVERY:
            story_store(store, settings).refile(changed)
            changed = []
        yield outcome
    story_store(store, settings).refile(changed)


# Changed articles placed again per story transaction during ``reextract``: bounds what
# an interrupted re-extraction leaves filed under its old text.
REFILE_EVERY = 200


def reextract_one(
    store: Store, stored: StoredArticle, rules: Rules, template_titles: int
) -> Reextracted:
    """Extract one stored article again, store what changed and file its paragraphs
    under its site anew (``precis.store.filing``; ``template_titles``: the setting
    ``template_min_titles``)."""
    old = stored.article
    if old.raw is None or old.raw_type is None:
        return Reextracted(stored.id, "failed", "no raw input was kept")
    raw = stored_raw(old.origin or f"#{stored.id}", old.raw, old.raw_type)
    new = raw if isinstance(raw, InputError) else extract_one(raw, rules)
    if isinstance(new, InputError):
        return Reextracted(stored.id, "failed", new.message)
    new = dataclasses.replace(new, origin=old.origin)
    try:
        reopened = refile_paragraphs(store, stored.id, new, template_titles, replace=new != old)
    except StoreError as exc:
        return Reextracted(stored.id, "failed", exc.message)
    return Reextracted(stored.id, "unchanged" if new == old else "changed", others=tuple(reopened))


def remove(store: Store, settings: Settings, article_id: int) -> None:
    """Delete an article (``precis rm``); its copies are placed in stories again."""
    assign_stories(store, delete_article(store, article_id, settings.template_min_titles), settings)


def story_params(settings: Settings) -> Params:
    """The clustering thresholds in force: the store, ``precis cluster`` and ``precis batch``
    all group with these, so they give the same stories."""
    return Params(
        settings.story_threshold, settings.story_window_days, settings.template_min_titles
    )


def story_store(store: Store, settings: Settings) -> StoryStore:
    return StoryStore(store, story_params(settings), settings.duplicate_containment)


def assign_stories(
    store: Store, article_ids: Iterable[int] | None, settings: Settings
) -> list[Placed]:
    """Place newly stored articles in stories (None: every article without one)."""
    return story_store(store, settings).assign(article_ids)


def summary_payload(summary: Summary) -> list[dict[str, Any]]:
    return [
        {"index": s.index, "text": s.text, "start": s.start, "end": s.end}
        for s in summary.sentences
    ]


def summary_from_payload(method: str, payload: list[dict[str, Any]]) -> Summary:
    sentences = tuple(
        SummarySentence(int(s["index"]), int(s["start"]), int(s["end"]), str(s["text"]))
        for s in payload
    )
    return Summary(method, sentences)


def summarize_stored(
    store: Store, article_id: int, length: Length, method: str
) -> tuple[StoredArticle, Summary]:
    """The summary of a stored article, from the cache when the text is unchanged, and
    the article (the CLI shows both)."""
    get_summarizer(method)  # unknown methods fail before any database work
    stored = store.get(article_id)
    return stored, stored_summary(store, article_id, length, method, stored=stored)


def stored_summary(
    store: Store,
    article_id: int,
    length: Length,
    method: str,
    *,
    stored: StoredArticle | None = None,
    split: Callable[[str, str], ParsedDocument] = parse,
) -> Summary:
    """The summary of a stored article, cached per (article, method, length) while its
    text is unchanged. A cache hit is one indexed query: the article is fetched only on
    a miss, unless given as ``stored``; ``split`` may be a cached ``parse`` (the
    reader's), used only when the article has no usable stored split."""
    get_summarizer(method)
    cached = store.current_summary(article_id, method, length.key)
    if cached is not None:
        return summary_from_payload(method, cached)
    stored = stored or store.get(article_id)
    summary = summarize(stored_split(stored, split), length, method)
    store.cache_summary(
        stored.id, method, length.key, stored.content_hash, summary_payload(summary)
    )
    return summary


def analyse_entities(
    store: Store,
    ids: Iterable[int] | None = None,
    *,
    analyzer: Any = None,
    model: str | None = None,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Find entities and statements for stored articles and save them; returns how many.

    ``ids=None`` means every article; only articles never analysed, changed since, or
    analysed with another model are done unless ``force``. The spaCy model is loaded once
    (pass ``analyzer`` to reuse one) and only when there is work.
    """
    from precis.entities import DEFAULT_MODEL, Analyzer
    from precis.store import entities as entity_store

    name = analyzer.model if analyzer is not None else (model or DEFAULT_MODEL)
    wanted = None if ids is None else list(ids)
    todo = wanted if force and wanted is not None else entity_store.pending(store, name, wanted)
    if force and wanted is None:
        todo = [a.id for a in store.iter_all()]
    if not todo:
        return 0
    analyzer = analyzer or Analyzer(name)
    done = 0
    for start in range(0, len(todo), _ENTITY_BATCH):
        batch = [store.get(i) for i in todo[start : start + _ENTITY_BATCH]]
        for stored, analysis in zip(
            batch, analyzer.analyse_many([s.text for s in batch]), strict=True
        ):
            entity_store.save_analysis(store, stored.id, stored.content_hash, name, analysis)
            done += 1
            if progress is not None:
                progress(stored.id)
    return done


# Articles read, analysed and saved per round: bounds memory on large stores.
_ENTITY_BATCH = 64
