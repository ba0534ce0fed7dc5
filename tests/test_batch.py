"""``precis batch`` on a 2-worker local Dask cluster, resume, ``precis load``, same results."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import Precis
from precis.batch import Job, dask_client, make_job, read_table, run_batch
from precis.ingest.corpus import partitions
from precis.pipeline import summarize_stored, summary_payload
from precis.store import Store
from precis.summarize import Length
from precis.text.sentences import decode, parse

WORDS = [
    "council",
    "budget",
    "river",
    "school",
    "police",
    "market",
    "water",
    "energy",
    "minister",
    "vote",
    "tax",
    "road",
    "hospital",
    "court",
    "judge",
    "election",
    "harbour",
    "festival",
    "museum",
    "bridge",
    "railway",
    "farmers",
    "drought",
    "storm",
]


def article_text(rng: random.Random, n: int) -> str:
    paragraphs = []
    for p in range(4):
        sentences = [
            " ".join(rng.choices(WORDS, k=rng.randint(8, 15))).capitalize()
            + f" in case {n}-{p}-{s}."
            for s in range(3)
        ]
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def write_corpus(path: Path, count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = [
        {
            "id": n,
            "title": f"Story number {n}",
            "text": article_text(rng, n),
            "url": f"https://news.example/{n}",
            "source": ["Alpha", "Beta"][n % 2],
            "published": f"2024-03-{1 + n % 28:02d}T10:00:00Z",
        }
        for n in range(count)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return records


def warc_file(path: Path) -> None:
    html = (
        "<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
        + "".join(
            f"<p>The harbour reopened on day {i} after the storm damaged the old pier and the council voted to repair it.</p>"
            for i in range(5)
        )
        + "</article></body></html>"
    ).encode()
    pages = [
        ("https://port.example/harbour", "text/html; charset=utf-8", html),
        ("https://port.example/a.png", "image/png", b"\x89PNG"),
    ]
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, content_type, body in pages:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url, "response", payload=BytesIO(body), http_headers=headers
            )
            writer.write_record(record)
            record.raw_stream.close()  # warcio buffers the payload in a temporary file


@pytest.fixture(scope="module")
def client() -> Any:
    """One in-process 2-worker cluster for the module (starting one costs ~1 s)."""
    with dask_client(workers=2, processes=False) as opened:
        yield opened


def job_for(out: Path, **overrides: Any) -> Job:
    return make_job(out, overrides.get("method", "precis"), Length(), 20_000_000, None)


def test_batch_of_mixed_inputs_on_a_two_worker_cluster(tmp_path: Path, client: Any) -> None:
    corpus = tmp_path / "corpus.jsonl"
    records = write_corpus(corpus, 12)
    copy = dict(records[0], url="https://mirror.example/0")  # exact duplicate, other URL
    near = dict(records[1], url="https://mirror.example/1")
    near["text"] = records[1]["text"] + "\n\nReporting by the wire desk."
    with corpus.open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(copy) + "\n" + json.dumps(near) + "\n")
        stream.write("{broken json\n" + json.dumps({"title": "no body"}) + "\n")
    pq.write_table(
        pa.Table.from_pylist([*records[5:8], {"title": "x", "text": "   "}]),
        tmp_path / "corpus.parquet",
        row_group_size=2,
    )
    warc_file(tmp_path / "crawl.warc.gz")
    out = tmp_path / "out"
    report = run_batch(
        [str(corpus), str(tmp_path / "corpus.parquet"), str(tmp_path / "crawl.warc.gz")],
        job_for(out),
        client,
        partition_bytes=4000,
    )
    assert report.ok
    assert report.workers == 2
    assert report.partitions > 3  # the JSONL file was cut into several parts
    assert (report.records, report.articles, report.errors) == (14 + 2 + 4 + 1, 14 + 3 + 1, 3)
    assert (report.exact_duplicates, report.near_duplicates) == (4, 1)  # 3 parquet copies + 1
    errors = list(read_table(out, "errors"))
    assert sorted(e["stage"] for e in errors) == ["read", "read", "read"]
    assert any(e["origin"].endswith("corpus.jsonl:15") for e in errors)
    duplicates = {d["content_hash"]: d for d in read_table(out, "duplicates")}
    near_rows = [d for d in duplicates.values() if d["kind"] == "near"]
    assert len(near_rows) == 1
    assert near_rows[0]["similarity"] >= 0.8
    articles = list(read_table(out, "articles"))
    assert [a["title"] for a in articles][:2] == ["Story number 0", "Story number 1"]
    assert any(a["url"] == "https://port.example/harbour" for a in articles)
    assert json.loads((out / "report.json").read_text())["articles"] == report.articles


def test_a_stopped_run_resumes_where_it_stopped(tmp_path: Path, client: Any) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, 40)
    whole = run_batch([str(corpus)], job_for(tmp_path / "whole"), client, partition_bytes=3000)

    class Stop(Exception):
        pass

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            raise Stop

    out = tmp_path / "stopped"
    with pytest.raises(Stop):
        run_batch(
            [str(corpus)], job_for(out), client, progress=stop_after_two, partition_bytes=3000
        )
    assert not (out / "report.json").exists()
    resumed = run_batch([str(corpus)], job_for(out), client, partition_bytes=3000)
    assert resumed.resumed >= 2
    assert resumed.processed == resumed.partitions - resumed.resumed
    assert (resumed.articles, resumed.records) == (whole.articles, whole.records) == (40, 40)
    for table in ("articles", "summaries"):  # equal but for the run's timestamp
        assert _untimed(read_table(out, table)) == _untimed(read_table(tmp_path / "whole", table))


def _untimed(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in {"ingested_at", "created_at"}} for r in rows]


def test_other_options_in_the_same_directory_are_refused(tmp_path: Path, client: Any) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, 3)
    run_batch([str(corpus)], job_for(tmp_path / "out"), client)
    with pytest.raises(Exception, match="other inputs or options"):
        run_batch([str(corpus)], job_for(tmp_path / "out", method="lead"), client)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "file.txt").write_text("x")
    with pytest.raises(Exception, match="not empty"):
        run_batch([str(corpus)], job_for(tmp_path / "junk"), client)


def test_batch_summaries_equal_summarize_one_by_one(tmp_path: Path) -> None:
    """The CLI end to end: `precis batch` on 2 workers vs `precis add` + `precis summarize ID`."""
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, 150, seed=11)
    db = f"sqlite:///{tmp_path / 'one.db'}"
    precis = Precis(db)
    result = precis(
        "batch", str(corpus), "--out", str(tmp_path / "out"), "--workers", "2", "--in-process", "-q"
    )
    assert result.exit_code == 0, result.output
    assert precis("add", "-q", str(corpus)).exit_code == 0
    batch = {
        s["content_hash"]: json.loads(s["payload"])
        for s in read_table(tmp_path / "out", "summaries")
    }
    assert len(batch) == 150
    with Store.open(db) as store:
        for article in store.iter_all():  # what `precis summarize ID` runs, article by article
            _, summary = summarize_stored(store, article.id, Length(), "precis")
            assert summary_payload(summary) == batch[article.content_hash]
            if article.id % 20 == 0:  # and through the command itself, for a sample
                shown = precis("summarize", str(article.id), "--format", "json")
                assert json.loads(shown.stdout)["summary"] == batch[article.content_hash]


def test_load_bulk_inserts_once_on_each_backend(
    tmp_path: Path, backend_url: str, client: Any
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    records = write_corpus(corpus, 30)
    with corpus.open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(dict(records[0], url="https://mirror.example/0")) + "\n")
    out = tmp_path / "out"
    job = job_for(out)
    run_batch([str(corpus)], job, client, partition_bytes=5000)
    precis = Precis(backend_url)
    first = precis("load", str(out))
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"articles": 30, "summaries": 30}
    again = precis("load", str(out))
    assert json.loads(again.stdout) == {"articles": 0, "summaries": 0}
    with Store.open(backend_url) as store:
        assert store.count() == 30
        stored = store.list(limit=100)
        one = next(s for s in stored if s.title == "Story number 3")
        assert one.ingested_at == job.ingested_at
        # the map stage's sentence split is loaded with the text: the reader never re-splits
        assert decode(one.sentences, one.text, one.title) == parse(one.text, one.title)
        payload = store.cached_summary(one.id, "precis", "auto", one.content_hash)
        assert payload
        assert all(one.text[s["start"] : s["end"]] == s["text"] for s in payload)
    shown = precis("summarize", str(one.id), "--format", "json")
    assert json.loads(shown.stdout)["summary"] == payload


def test_load_refuses_what_is_not_a_batch_result(tmp_path: Path, precis: Precis) -> None:
    result = precis("load", str(tmp_path))
    assert result.exit_code == 1
    assert "not a 'precis batch' output directory" in result.output


BALLAST_MB = 400  # well above what a fresh interpreter importing precis.batch peaks at (~150)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_peak_memory_is_the_process_own_not_that_of_the_process_that_started_it() -> None:
    """A process started by fork and exec (as Dask's nanny starts workers) inherits its
    starter's ``ru_maxrss``; ``peak_rss_mb`` must report the worker's own peak."""
    import subprocess
    import sys

    import precis
    from precis.batch import peak_rss_mb

    ballast = b"x" * (BALLAST_MB << 20)
    parent = peak_rss_mb()
    del ballast
    src = str(Path(precis.__file__).parents[1])
    code = f"import sys; sys.path.insert(0, {src!r}); from precis.batch import peak_rss_mb; "
    code += "print(peak_rss_mb())"
    child = float(
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout
    )
    assert parent >= BALLAST_MB
    assert 0 < child < parent - BALLAST_MB / 2  # the old ru_maxrss reading gave child >= parent


def test_dask_logs_follow_precis_level(client: Any) -> None:
    """distributed sets its loggers to INFO on import (a page of scheduler and nanny lines
    on every 'precis batch'); they follow the root level precis configures."""
    root = logging.getLogger()
    saved = root.level
    try:
        for level in (logging.WARNING, logging.INFO):
            root.setLevel(level)
            with dask_client(workers=1, processes=False):
                assert logging.getLogger("distributed").getEffectiveLevel() == level
    finally:
        root.setLevel(saved)


def test_partitions_name_a_directorys_files_of_no_known_type(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """As 'precis add' does: files 'precis batch' cannot read are named, not dropped unseen."""
    write_corpus(tmp_path / "corpus.jsonl", 2)
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    with caplog.at_level(logging.WARNING, logger="precis.ingest.files"):
        parts = partitions([str(tmp_path)])
    assert {Path(p.path).name for p in parts} == {"corpus.jsonl"}
    assert caplog.messages == [f"{tmp_path}: skipped 1 file of no known type (1 .pdf)"]
