"""Read paths, directories and stdin into ``RawDocument``s.

Supported: plain text (``.txt``, ``.md``), HTML (``.html``, ``.htm``), JSONL corpora
(``.jsonl``: one article per line with ``text`` or ``html`` and optional ``title``, ``url``,
``source``, ``published``, ``author``, ``id``) and gzip-compressed variants of each.
A bad input yields an ``InputError`` in the stream instead of stopping it, so one
malformed JSONL line or unreadable file never loses the good ones.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import sys
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from precis.errors import InputError, invalid_json
from precis.ingest.decode import decode
from precis.models import MediaType, RawDocument

TEXT_SUFFIXES = {".txt": "text", ".md": "text", ".text": "text"}
HTML_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
METADATA_KEYS = ("title", "url", "source", "published", "author", "id")

Item = RawDocument | InputError
log = logging.getLogger(__name__)


def read_inputs(
    paths: Iterable[str], max_bytes: int, stdin: BinaryIO | None = None
) -> Iterator[Item]:
    """Every input under ``paths`` (``-`` is stdin), in a stable order."""
    for path in paths:
        if path == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _read_stream(stream, "-", None, max_bytes)
        else:
            yield from _read_path(Path(path), max_bytes)


def _read_path(path: Path, max_bytes: int) -> Iterator[Item]:
    if path.is_dir():
        found = False
        skipped: Counter[str] = Counter()
        for child in sorted(path.rglob("*")):
            if not child.is_file() or _hidden(child, path):
                continue
            if _kind(child) is None:
                skipped[suffix_of(child)] += 1
                continue
            found = True
            yield from _read_file(child, max_bytes)
        warn_skipped(path, skipped)
        if not found:
            yield InputError(str(path), "directory holds no .txt, .md, .html or .jsonl files")
    elif path.exists():
        yield from _read_file(path, max_bytes)
    else:
        yield InputError(str(path), "no such file or directory")


def suffix_of(path: Path) -> str:
    return path.suffix.lower() or "(no suffix)"


def warn_skipped(path: Path, skipped: Counter[str]) -> None:
    """One warning for the files of no known type under directory ``path`` (counts by
    suffix), so a reader is not left to wonder where they went."""
    if not skipped:
        return
    kinds = ", ".join(f"{n} {suffix}" for suffix, n in sorted(skipped.items()))
    count = skipped.total()
    files = "file" if count == 1 else "files"
    log.warning("%s: skipped %d %s of no known type (%s)", path, count, files, kinds)


def _read_file(path: Path, max_bytes: int) -> Iterator[Item]:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield _too_large(str(path), max_bytes)
            return
        with path.open("rb") as stream:
            yield from _read_stream(stream, str(path), _kind(path), max_bytes)
    except OSError as exc:
        yield InputError(str(path), f"cannot be read ({exc.strerror or exc})")


def _read_stream(stream: BinaryIO, origin: str, kind: str | None, max_bytes: int) -> Iterator[Item]:
    try:
        data = _read_capped(stream, origin, max_bytes)
        text = decode(data, origin)
    except InputError as exc:
        yield exc
        return
    kind = kind or _sniff(text)
    if kind == "jsonl":
        yield from parse_jsonl(text, origin)
    else:
        media: MediaType = "html" if kind == "html" else "text"
        yield RawDocument(origin, text, media)


def _read_capped(stream: BinaryIO, origin: str, max_bytes: int) -> bytes:
    head = stream.read(2)
    rest = stream.read(max_bytes + 1 - len(head))
    data = head + rest
    if len(data) > max_bytes:
        raise _too_large(origin, max_bytes)
    if head == b"\x1f\x8b":
        return _gunzip(data, origin, max_bytes)
    return data


def _gunzip(data: bytes, origin: str, max_bytes: int) -> bytes:
    """Decompress at most ``max_bytes``: a gzip bomb is refused, not expanded."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
            out = unzipped.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(origin, f"is not a valid gzip file ({exc})") from exc
    if len(out) > max_bytes:
        raise _too_large(origin, max_bytes, "decompressed ")
    return out


def parse_jsonl(text: str, origin: str, first_line: int = 1) -> Iterator[Item]:
    """One ``RawDocument`` per good line; an ``InputError`` naming the line for each bad one.

    ``first_line`` is the line number of ``text``'s first line (a batch reads a file in parts).
    """
    for number, line in enumerate(text.splitlines(), start=first_line):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(where, invalid_json(exc))
            continue
        yield parse_record(record, where, line)


def parse_record(record: object, where: str, line: str | None = None) -> Item:
    """One JSONL/Parquet record as a ``RawDocument``; ``line`` is its source text, kept as
    the raw input (a Parquet row is kept as its JSON form)."""
    if not isinstance(record, dict):
        return InputError(where, "each line must be a JSON object")
    body = record.get("html") if record.get("html") else record.get("text")
    if not isinstance(body, str) or not body.strip():
        found = "" if "text" in record or "html" in record else f"; its keys: {_keys(record)}"
        return InputError(where, f"needs a non-empty 'text' or 'html' string{found}")
    media: MediaType = "html" if record.get("html") else "text"
    metadata = {key: str(record[key]) for key in METADATA_KEYS if record.get(key) not in (None, "")}
    kept = line if line is not None else json.dumps(record, ensure_ascii=False, default=str)
    return RawDocument(where, body, media, metadata, record=kept)


# Keys named in the error for a record with neither 'text' nor 'html' (a corpus whose
# body is under another name, such as 'article' or 'content', shows it at once).
SHOWN_KEYS = 8


def _keys(record: dict[Any, Any]) -> str:
    keys = [str(k) for k in record]
    more = f" and {len(keys) - SHOWN_KEYS} more" if len(keys) > SHOWN_KEYS else ""
    return ", ".join(repr(k) for k in keys[:SHOWN_KEYS]) + more


def stored_raw(origin: str, raw: str, raw_type: str) -> Item:
    """Rebuild the ``RawDocument`` an article was extracted from, to extract it again."""
    if raw_type == "jsonl":
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            return InputError(origin, f"stored JSONL record is not valid JSON ({exc.msg})")
        return parse_record(record, origin, raw)
    media: MediaType = "html" if raw_type == "html" else "text"
    return RawDocument(origin, raw, media)


def _kind(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes:
        return None
    last = suffixes[-1]
    if last in JSONL_SUFFIXES:
        return "jsonl"
    return TEXT_SUFFIXES.get(last) or HTML_SUFFIXES.get(last)


def _sniff(text: str) -> str:
    head = text.lstrip()[:1000].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<p>" in head:
        return "html"
    first = head.splitlines()[0] if head else ""
    if first.startswith("{") and first.rstrip().endswith("}"):
        return "jsonl"
    return "text"


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _too_large(origin: str, max_bytes: int, what: str = "") -> InputError:
    return InputError(
        origin,
        f"{what}size exceeds the {max_bytes:,}-byte limit; raise PRECIS_MAX_INPUT_BYTES to accept it",
    )
