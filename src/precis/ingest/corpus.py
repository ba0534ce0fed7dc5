"""Large corpora in parts: JSONL(.gz), Parquet and WARC files split into partitions.

A batch run maps the pipeline over ``Partition``s; each one names a byte range of a plain
JSONL file (cut at line boundaries, found by one scan), one row group of a Parquet file, or
one whole compressed JSONL or WARC file (gzip cannot be entered mid-stream; crawls ship
many files of ~1 GB, which is the unit of parallelism there). Reading a partition yields
``RawDocument``s and ``InputError``s, exactly as ``precis add`` reads the same records.
"""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from precis.errors import InputError
from precis.ingest.decode import decode
from precis.ingest.files import METADATA_KEYS, parse_jsonl, parse_record, suffix_of, warn_skipped
from precis.models import RawDocument

Kind = Literal["jsonl", "jsonl.gz", "parquet", "warc"]
Item = RawDocument | InputError

PARTITION_BYTES = 16 * 1024 * 1024  # ~5k news articles: seconds of work, MBs of memory
WARC_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class Partition:
    """``start``/``stop``: byte offsets (JSONL), the row group (Parquet), unused otherwise."""

    key: str
    path: str
    kind: Kind
    start: int = 0
    stop: int = 0
    first_line: int = 1
    fingerprint: str = ""


def kind_of(path: Path) -> Kind:
    name = path.name.lower()
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith((".jsonl.gz", ".ndjson.gz")):
        return "jsonl.gz"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".warc", ".warc.gz", ".arc.gz")):
        return "warc"
    raise InputError(
        str(path), "is not .jsonl(.gz), .parquet or .warc(.gz); batch reads only those"
    )


def partitions(paths: list[str], target_bytes: int = PARTITION_BYTES) -> list[Partition]:
    """Every input file (directories are walked) cut into partitions, in a stable order."""
    files = [f for p in paths for f in _files(Path(p))]
    found: list[Partition] = []
    for number, file in enumerate(files):
        stat = file.stat()
        fingerprint = f"{stat.st_size}:{int(stat.st_mtime)}"
        for index, part in enumerate(_split(file, kind_of(file), target_bytes)):
            key = f"{number:05d}-{index:06d}"
            found.append(
                Partition(
                    key, str(file), part.kind, part.start, part.stop, part.first_line, fingerprint
                )
            )
    return found


def read(part: Partition) -> Iterator[Item]:
    """The documents of one partition; a broken file becomes one error, never an exception."""
    try:
        if part.kind == "jsonl":
            yield from _read_jsonl_range(part)
        elif part.kind == "jsonl.gz":
            with gzip.open(part.path, "rt", encoding="utf-8", errors="replace") as stream:
                yield from parse_jsonl(stream.read(), part.path)
        elif part.kind == "parquet":
            yield from _read_parquet(part)
        else:
            yield from _read_warc(part)
    except (OSError, EOFError, ValueError) as exc:
        yield InputError(part.path, f"cannot be read ({exc})")


def _files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        skipped: Counter[str] = Counter()
        for child in sorted(path.rglob("*")):
            if child.is_file() and not child.name.startswith("."):
                try:
                    kind_of(child)
                except InputError:
                    skipped[suffix_of(child)] += 1
                    continue
                yield child
        warn_skipped(path, skipped)
    elif path.is_file():
        kind_of(path)
        yield path
    else:
        raise InputError(str(path), "no such file or directory")


def _split(path: Path, kind: Kind, target_bytes: int) -> Iterator[Partition]:
    if kind == "jsonl":
        yield from _split_jsonl(path, target_bytes)
    elif kind == "parquet":
        import pyarrow.parquet as pq

        groups = pq.ParquetFile(path).num_row_groups
        for group in range(groups):
            yield Partition("", str(path), kind, group, group + 1)
    else:
        yield Partition("", str(path), kind)


def _split_jsonl(path: Path, target_bytes: int) -> Iterator[Partition]:
    start, line, lines_in_part = 0, 1, 0
    offset = 0
    with path.open("rb") as stream:
        for raw in stream:
            offset += len(raw)
            lines_in_part += 1
            if offset - start >= target_bytes:
                yield Partition("", str(path), "jsonl", start, offset, line)
                start, line, lines_in_part = offset, line + lines_in_part, 0
    if offset > start or offset == 0:
        yield Partition("", str(path), "jsonl", start, offset, line)


def _read_jsonl_range(part: Partition) -> Iterator[Item]:
    with open(part.path, "rb") as stream:
        stream.seek(part.start)
        data = stream.read(part.stop - part.start)
    yield from parse_jsonl(data.decode("utf-8", errors="replace"), part.path, part.first_line)


def _read_parquet(part: Partition) -> Iterator[Item]:
    import pyarrow.parquet as pq

    table = pq.ParquetFile(part.path).read_row_group(part.start)
    wanted = [c for c in ("text", "html", *METADATA_KEYS) if c in table.column_names]
    for number, row in enumerate(table.select(wanted).to_pylist()):
        yield parse_record(_plain(row), f"{part.path}:rg{part.start}:{number}")


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """Parquet timestamps arrive as datetimes; the record reader wants strings."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}


def _read_warc(part: Partition) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator

    with open(part.path, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
            if not content_type.lower().startswith(WARC_HTML_TYPES):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            body = record.content_stream().read()  # before get_record_offset(), which skips it
            origin = f"{part.path}@{records.get_record_offset()}"
            try:
                text = decode(body, origin)
            except InputError as exc:
                yield exc
                continue
            yield RawDocument(origin, text, "html", {"url": url} if url else {})
