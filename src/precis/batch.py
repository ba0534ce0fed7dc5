"""Batch runs on Dask: the laptop pipeline mapped over the partitions of a large corpus.

``run_batch`` cuts the inputs into partitions (``ingest.corpus``), maps ``process_partition``
over them as a ``dask.bag`` on a distributed ``Client`` (a local cluster or an existing
one), then runs the global stages on the driver. Per partition, each record goes through
the same functions ``precis add`` and ``precis summarize`` use (extraction with the
boilerplate rules, the default summary method and length), so results are identical.

Output directory layout (every table is a Parquet dataset: a folder of part files)::

    DIR/manifest.json            inputs and options; a resumed run must match them
    DIR/articles/part-K.parquet  one row per extracted record (the store's columns)
    DIR/summaries/part-K.parquet content_hash, method, length_key, payload (JSON), created_at
    DIR/errors/part-K.parquet    origin, stage, reason: bad records, never fatal
    DIR/duplicates/part-0.parquet  content_hash, duplicate_of, kind (exact|near), similarity
    DIR/stories/part-0.parquet   one row per story (key, title, counts of articles and
                                 independent sources), from the story stage
    DIR/story_articles/part-0.parquet  content_hash -> story key (see precis.batchstories)
    DIR/report.json              counts, timings, throughput, per-worker peak memory
    DIR/_work/signatures/        MinHash signatures and LSH band keys (for duplicates)
    DIR/_work/story_features/    per-article work of the story stage (copy-detection band keys,
                                 assignment keys), done on the workers
    DIR/_checkpoints/K.json      written last for partition K: a resumed run skips it

STORY STAGE: ``run_batch(..., stories=StoryStage)``. The stage receives every article row
(dicts with the columns above, in input order) after the map stage and returns the two
story tables. Its per-article work (shingling, MinHash band keys, feature keys:
``precis.cluster.assign.prepare``) is done in the map stage on the workers and handed to
it as a ``Precomputed``; what is left runs on the driver, because story assignment needs
the whole batch at once. ``precis.batchstories.BatchStories`` is the stage ``precis batch``
uses.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from precis.batchstories import StoryTables, story_schemas
from precis.cluster import ArticleInput
from precis.cluster.assign import Params, Precomputed, prepare
from precis.dedupe import band_keys, find_duplicates, signature
from precis.errors import InputError, PrecisError
from precis.extract import Rules, extract
from precis.ingest.corpus import PARTITION_BYTES, Partition, partitions, read
from precis.memory import peak_rss_mb
from precis.models import Article, RawDocument
from precis.pipeline import summary_payload
from precis.store.db import content_hash
from precis.store.transfer import ARTICLE_COLUMNS
from precis.summarize import Length, get_summarizer, summarize
from precis.text.sentences import encode, parse

log = logging.getLogger(__name__)

TABLES = ("articles", "summaries", "errors")
SIGNATURES = Path("_work") / "signatures"
STORY_FEATURES = Path("_work") / "story_features"
WORK_TABLES = {"signatures": SIGNATURES, "story_features": STORY_FEATURES}
CHECKPOINTS = "_checkpoints"

Row = dict[str, Any]


class StoryStage(Protocol):
    """Story clustering over the whole batch: article rows in, story tables out."""

    def __call__(
        self, articles: Iterator[Row], precomputed: Precomputed | None = None
    ) -> StoryTables: ...


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs for one partition (pickled to the workers)."""

    out: str
    method: str
    length: Length
    max_input_bytes: int
    boilerplate_rules: str | None
    ingested_at: datetime
    stories: bool = True  # compute the story stage's per-article features in the map

    def manifest(self, inputs: list[str]) -> Row:
        return {
            "inputs": inputs,
            "method": self.method,
            "length": self.length.key,
            "boilerplate_rules": self.boilerplate_rules,
            "ingested_at": self.ingested_at.isoformat(),
        }


@dataclass(slots=True)
class PartitionReport:
    key: str
    fingerprint: str
    records: int = 0
    articles: int = 0
    errors: int = 0
    seconds: float = 0.0


@dataclass(slots=True)
class BatchReport:
    partitions: int = 0
    resumed: int = 0
    processed: int = 0
    failed_partitions: list[str] = field(default_factory=list)
    records: int = 0
    articles: int = 0
    errors: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    stories: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 0
    worker_peak_rss_mb: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed_partitions


Progress = Callable[[int, int], None]


# -- the map stage: one partition, on a worker ----------------------------------------------
def process_partition(part: Partition, job: Job) -> PartitionReport:
    """Extract, summarize and sign every record of ``part``; write its part files."""
    start = time.perf_counter()
    rules = Rules.load(Path(job.boilerplate_rules) if job.boilerplate_rules else None)
    rows: dict[str, list[Row]] = {name: [] for name in (*TABLES, *WORK_TABLES)}
    report = PartitionReport(part.key, part.fingerprint)
    for item in read(part):
        report.records += 1
        if isinstance(item, InputError):
            rows["errors"].append(_error(item.origin, "read", item.reason))
            continue
        _process_document(item, job, rules, rows)
    report.articles, report.errors = len(rows["articles"]), len(rows["errors"])
    _write_part(job, part.key, rows)
    report.seconds = time.perf_counter() - start
    _write_json(Path(job.out) / CHECKPOINTS / f"{part.key}.json", asdict(report))
    return report


def _process_document(raw: RawDocument, job: Job, rules: Rules, rows: dict[str, list[Row]]) -> None:
    if len(raw.content) > job.max_input_bytes:
        rows["errors"].append(_error(raw.origin, "read", "larger than PRECIS_MAX_INPUT_BYTES"))
        return
    stage = "extract"
    try:
        article = extract(raw, rules)
        digest = content_hash(article.text)
        stage = "summarize"
        doc = parse(article.text, article.title)
        summary = summarize(doc, job.length, job.method)
        stage = "signature"
        sig = signature(article.text)
        stage = "story features"
        features = (
            prepare(ArticleInput(digest, article.text, article.title or ""))
            if job.stories
            else None
        )
    except InputError as exc:
        rows["errors"].append(_error(raw.origin, stage, exc.reason))
        return
    except Exception as exc:  # one bad record must never abort the run: record it
        rows["errors"].append(_error(raw.origin, stage, f"{type(exc).__name__}: {exc}"))
        return
    rows["articles"].append(article_row(article, digest, job.ingested_at, encode(doc)))
    rows["summaries"].append(
        {
            "content_hash": digest,
            "method": job.method,
            "length_key": job.length.key,
            "payload": json.dumps(summary_payload(summary), ensure_ascii=False),
            "created_at": job.ingested_at,
        }
    )
    rows["signatures"].append({"content_hash": digest, "signature": sig, "bands": band_keys(sig)})
    if features is not None:
        rows["story_features"].append(
            {
                "content_hash": digest,
                "title": article.title or "",
                "bands": features.bands,
                "keys": list(features.keys),
                "counts": list(features.keys.values()),
                "paragraphs": features.paragraphs,
            }
        )


def article_row(
    article: Article, digest: str, ingested_at: datetime, sentences: str | None = None
) -> Row:
    """The store's article columns (``precis load`` inserts exactly these); ``sentences``:
    the encoded split of the text (``precis.text.sentences.encode``)."""
    row: Row = {
        "content_hash": digest,
        "ingested_at": ingested_at,
        "word_count": len(article.text.split()),
        "sentences": sentences,
    }
    for name in ARTICLE_COLUMNS:
        row.setdefault(name, getattr(article, name, None))
    return row


def _error(origin: str, stage: str, reason: str) -> Row:
    return {"origin": origin, "stage": stage, "reason": reason}


def _write_part(job: Job, key: str, rows: dict[str, list[Row]]) -> None:
    for name, table_rows in rows.items():
        folder = Path(job.out) / WORK_TABLES.get(name, Path(name))
        write_parquet(folder / f"part-{key}.parquet", table_rows, SCHEMAS[name]())


def write_parquet(path: Path, rows: list[Row], schema: Any) -> None:
    """Write atomically (temporary name, then rename): a stopped run leaves no torn file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), temporary)
    os.replace(temporary, path)


def _write_json(path: Path, data: Row) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _schemas() -> dict[str, Callable[[], Any]]:
    import pyarrow as pa

    when = pa.timestamp("us", tz="UTC")
    text = pa.string()
    article_types = {"published": when, "ingested_at": when, "word_count": pa.int64()}
    return {
        "articles": lambda: pa.schema([(c, article_types.get(c, text)) for c in ARTICLE_COLUMNS]),
        "summaries": lambda: pa.schema(
            [
                ("content_hash", text),
                ("method", text),
                ("length_key", text),
                ("payload", text),
                ("created_at", when),
            ]
        ),
        "errors": lambda: pa.schema([("origin", text), ("stage", text), ("reason", text)]),
        "signatures": lambda: pa.schema(
            [
                ("content_hash", text),
                ("signature", pa.list_(pa.uint32())),
                ("bands", pa.list_(pa.int64())),
            ]
        ),
        "story_features": lambda: pa.schema(
            [
                ("content_hash", text),
                ("title", text),
                ("bands", pa.list_(text)),
                ("keys", pa.list_(text)),
                ("counts", pa.list_(pa.float64())),
                ("paragraphs", pa.list_(text)),
            ]
        ),
        "duplicates": lambda: pa.schema(
            [
                ("content_hash", text),
                ("duplicate_of", text),
                ("kind", text),
                ("similarity", pa.float64()),
            ]
        ),
    }


SCHEMAS = _schemas()


# -- the driver ------------------------------------------------------------------------------
def run_batch(
    inputs: list[str],
    job: Job,
    client: Any,
    *,
    stories: StoryStage | None = None,
    progress: Progress | None = None,
    partition_bytes: int = PARTITION_BYTES,
) -> BatchReport:
    """Run (or resume) a batch on the Dask ``client``; writes ``report.json`` and returns it."""
    started = time.perf_counter()
    out = Path(job.out)
    job = _claim(out, inputs, job)
    parts = partitions(inputs, partition_bytes)
    report = BatchReport(partitions=len(parts), workers=len(client.scheduler_info()["workers"]))
    todo = [p for p in parts if not _done(out, p)]
    report.resumed = len(parts) - len(todo)
    _map(todo, job, client, report, progress)
    report.seconds["map"] = round(time.perf_counter() - started, 3)
    _tally(out, parts, report)
    if report.ok:
        with _timed(report, "duplicates"):
            _duplicates(out, parts, report)
        if stories is not None:
            with _timed(report, "stories"):
                report.stories = _stories(out, parts, stories)
    report.worker_peak_rss_mb = _peak_memory(client)
    report.seconds["total"] = round(time.perf_counter() - started, 3)
    _write_json(out / "report.json", asdict(report))
    return report


def _claim(out: Path, inputs: list[str], job: Job) -> Job:
    """Start a run in ``out`` or resume the one there (same inputs and options only)."""
    manifest_path = out / "manifest.json"
    wanted = job.manifest(inputs)
    if manifest_path.exists():
        found = json.loads(manifest_path.read_text(encoding="utf-8"))
        if {k: v for k, v in found.items() if k != "ingested_at"} != {
            k: v for k, v in wanted.items() if k != "ingested_at"
        }:
            raise PrecisError(
                f"{out} holds a batch run with other inputs or options; "
                "give a new --out DIR or the same inputs and options to resume it"
            )
        return replace(job, ingested_at=datetime.fromisoformat(found["ingested_at"]))
    if out.exists() and any(out.iterdir()):
        raise PrecisError(f"{out} is not empty and holds no batch run; give an empty --out DIR")
    _write_json(manifest_path, wanted)
    return job


def _done(out: Path, part: Partition) -> bool:
    marker = out / CHECKPOINTS / f"{part.key}.json"
    if not marker.exists():
        return False
    return bool(json.loads(marker.read_text(encoding="utf-8"))["fingerprint"] == part.fingerprint)


def _map(
    todo: list[Partition],
    job: Job,
    client: Any,
    report: BatchReport,
    progress: Progress | None,
) -> None:
    if not todo:
        return
    import dask.bag as db
    from distributed import as_completed

    bag = db.from_sequence(todo, npartitions=len(todo)).map(process_partition, job)
    futures = client.compute(bag.to_delayed())
    keys = {future.key: part.key for future, part in zip(futures, todo, strict=True)}
    for done, future in enumerate(as_completed(futures), start=1):
        if future.status == "error":
            part = keys[future.key]
            log.error("partition %s failed: %s", part, future.exception())
            report.failed_partitions.append(part)
        else:
            report.processed += 1
        if progress is not None:
            progress(done, len(todo))


def _tally(out: Path, parts: list[Partition], report: BatchReport) -> None:
    for part in parts:
        marker = out / CHECKPOINTS / f"{part.key}.json"
        if marker.exists():
            counts = json.loads(marker.read_text(encoding="utf-8"))
            report.records += counts["records"]
            report.articles += counts["articles"]
            report.errors += counts["errors"]


def read_table(
    out: Path,
    name: str | Path,
    parts: list[Partition] | None = None,
    columns: list[str] | None = None,
) -> Iterator[Row]:
    """Rows of one output table (or of some of its ``columns``), part by part in
    partition order."""
    import pyarrow.parquet as pq

    folder = out / name
    files = (
        [folder / f"part-{p.key}.parquet" for p in parts]
        if parts is not None
        else sorted(folder.glob("part-*.parquet"))
    )
    for file in files:
        for batch in pq.ParquetFile(file).iter_batches(batch_size=2048, columns=columns):
            yield from batch.to_pylist()


def _duplicates(out: Path, parts: list[Partition], report: BatchReport) -> None:
    rows = list(read_table(out, SIGNATURES, parts))
    found = find_duplicates(
        [r["content_hash"] for r in rows],
        [r["signature"] for r in rows],
        [r["bands"] for r in rows],
    )
    report.exact_duplicates = sum(d.kind == "exact" for d in found)
    report.near_duplicates = sum(d.kind == "near" for d in found)
    table = [asdict(d) for d in found]
    write_parquet(out / "duplicates" / "part-0.parquet", table, SCHEMAS["duplicates"]())


def _stories(out: Path, parts: list[Partition], stories: StoryStage) -> int:
    tables = stories(read_table(out, "articles", parts), FeatureTable(out, parts))
    schemas = story_schemas()
    for name, rows in (("story_articles", tables.articles), ("stories", tables.stories)):
        write_parquet(out / name / "part-0.parquet", rows, schemas[name])
    return len(tables.stories)


class FeatureTable:
    """The story features the map stage wrote: the ``Precomputed`` of the story stage.

    Band keys and paragraph fingerprints (for site templates) are read for every article
    at once; assignment keys, the bulk of the table, only for the originals ``cluster``
    asks about. Rows are matched by content hash *and*
    title (duplicate texts may carry different titles); anything not found is computed by
    ``cluster`` itself, so a missing or partial table only costs time.
    """

    def __init__(self, out: Path, parts: list[Partition]) -> None:
        self._out, self._parts = out, parts
        self._bands: dict[tuple[str, str], list[str]] = {}
        self._paragraphs: dict[tuple[str, str], list[str]] = {}
        for row in self._rows(["content_hash", "title", "bands", "paragraphs"]):
            ident = (row["content_hash"], row["title"])
            self._bands.setdefault(ident, row["bands"])
            self._paragraphs.setdefault(ident, row["paragraphs"])

    def bands(self, article: ArticleInput) -> list[str] | None:
        return self._bands.get((article.id, article.title))

    def paragraphs(self, article: ArticleInput) -> list[str] | None:
        return self._paragraphs.get((article.id, article.title))

    def keys(self, articles: Sequence[ArticleInput]) -> dict[str, dict[str, float]]:
        wanted = {(a.id, a.title) for a in articles}
        result: dict[str, dict[str, float]] = {}
        for row in self._rows(None):
            ident = (row["content_hash"], row["title"])
            if ident in wanted and ident[0] not in result:
                result[ident[0]] = dict(zip(row["keys"], row["counts"], strict=True))
        return result

    def _rows(self, columns: list[str] | None) -> Iterator[Row]:
        parts = [
            p
            for p in self._parts
            if (self._out / STORY_FEATURES / f"part-{p.key}.parquet").exists()
        ]
        return read_table(self._out, STORY_FEATURES, parts, columns)


@contextmanager
def _timed(report: BatchReport, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    report.seconds[stage] = round(time.perf_counter() - start, 3)


def _peak_memory(client: Any) -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in client.run(peak_rss_mb).items()}
    except Exception:  # an exotic cluster may refuse client.run; memory is a nicety
        return {}


@contextmanager
def dask_client(
    workers: int | None = None, scheduler: str | None = None, processes: bool = True
) -> Iterator[Any]:
    """A client on ``scheduler``, or on a local cluster of ``workers`` single-threaded
    workers (default: one per CPU; extraction and summarizing hold the GIL)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise PrecisError(
            "batch needs Dask: pip install 'precis[batch]' (dask, distributed, pyarrow)"
        ) from exc
    # distributed sets its loggers to INFO when imported (a page of scheduler and nanny
    # chatter on every run); they follow precis's own level (WARNING, or -v's INFO).
    logging.getLogger("distributed").setLevel(logging.getLogger().getEffectiveLevel())
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    count = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=processes,
            host="127.0.0.1" if processes else None,  # loopback only; threads talk in-process
            dashboard_address="127.0.0.1:0",  # its HTTP server always starts: loopback, any port
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def make_job(
    out: Path,
    method: str,
    length: Length,
    max_input_bytes: int,
    rules: Path | None,
    stories: bool = True,
) -> Job:
    get_summarizer(method)  # an unknown method fails before any cluster starts
    return Job(
        out=str(out.absolute()),
        method=method,
        length=length,
        max_input_bytes=max_input_bytes,
        boilerplate_rules=str(rules) if rules else None,
        ingested_at=datetime.now(UTC).replace(microsecond=0),
        stories=stories,
    )


def load_result(store: Any, out: Path, params: Params) -> Row:
    """Insert a batch result's articles and summaries into ``store`` (see ``bulk_load``),
    and its stories, indexed with the grouping settings ``params``."""
    from precis.store.transfer import bulk_load

    if not (out / "manifest.json").exists() or not (out / "articles").is_dir():
        raise PrecisError(f"{out} is not a 'precis batch' output directory")
    report = out / "report.json"
    if not report.exists() or json.loads(report.read_text(encoding="utf-8"))["failed_partitions"]:
        raise PrecisError(f"the batch run in {out} is unfinished; run it again to complete it")
    loaded = bulk_load(store, read_table(out, "articles"), read_table(out, "summaries"))
    if (out / "story_articles").is_dir():
        from precis.store.stories import StoryStore

        loaded["stories"] = StoryStore(store, params).load_batch(read_table(out, "story_articles"))
    return loaded
