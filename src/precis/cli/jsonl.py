"""JSONL in and out for the batch interfaces (``summarize``/``quotes``/``cluster``/
``story-summary --jsonl``): one reader, so every one of them accepts the same inputs
(a path, ``-`` for stdin, ``.gz``) and reports a bad line the same way, by its number."""

from __future__ import annotations

import contextlib
import gzip
import json
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import click

from precis.errors import InputError, invalid_json


@dataclass(frozen=True, slots=True)
class Line:
    """One non-blank input line: its record, or why it has none."""

    where: str
    record: dict[str, Any] | None
    error: InputError | None = None

    @property
    def id(self) -> object:
        return None if self.record is None else self.record.get("id")


def read_lines(path: str) -> Iterator[Line]:
    """Every non-blank line of ``path`` as a ``Line``; an unreadable file raises."""
    try:
        with _open(path) as stream:
            for number, data in enumerate(stream, start=1):
                if data.strip():
                    yield _line(data, f"{path}:{number}")
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(path, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from exc


def records(path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """(record, where) for every line; the first bad line raises (for whole-input commands
    such as clustering, where a partial input would give different answers)."""
    for line in read_lines(path):
        if line.error is not None:
            raise line.error
        assert line.record is not None
        yield line.record, line.where


def text_of(line: Line) -> str:
    """The record's ``text`` string, or ``InputError`` saying it is missing."""
    assert line.record is not None
    text = line.record.get("text")
    if not isinstance(text, str):
        raise InputError(line.where, "each line must be an object with a 'text' string")
    return text


def write(out: IO[str], data: object) -> None:
    out.write(json.dumps(data, ensure_ascii=False) + "\n")


def report(out: IO[str], line: Line, error: InputError) -> None:
    """A bad line: a numbered message on stderr and an ``{"id", "error"}`` output line."""
    click.echo(f"error: {error.message}", err=True)
    write(out, {"id": line.id, "error": error.reason})


def _line(data: bytes, where: str) -> Line:
    try:
        record = json.loads(data.rstrip(b"\r\n").decode("utf-8"))
    except UnicodeDecodeError:
        return Line(where, None, InputError(where, "line is not valid UTF-8"))
    except json.JSONDecodeError as exc:
        return Line(where, None, InputError(where, invalid_json(exc)))
    if not isinstance(record, dict):
        return Line(where, None, InputError(where, "each line must be a JSON object"))
    return Line(where, record)


def _open(path: str) -> contextlib.AbstractContextManager[Iterable[bytes]]:
    if path == "-":  # not closed afterwards: stdin belongs to the caller
        return contextlib.nullcontext(sys.stdin.buffer)
    if path.endswith(".gz"):
        return gzip.GzipFile(path, "rb")
    return open(path, "rb")
