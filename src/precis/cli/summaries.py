"""``precis summarize``: one stored article, one file, stdin, or a JSONL batch."""

from __future__ import annotations

import contextlib
import gzip
import json
import sys
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

import click

from precis.cli.context import AppContext
from precis.cli.output import echo_json, summary_json, summary_text
from precis.errors import InputError, PrecisError
from precis.models import Summary
from precis.pipeline import extract_inputs, summarize_stored
from precis.summarize import SUMMARIZERS, Length, summarize
from precis.text.sentences import parse

pass_app = click.make_pass_decorator(AppContext)


@click.command(name="summarize")
@click.argument("target", required=False)
@click.option("-s", "--sentences", type=int, help="Summary length in sentences.")
@click.option("-w", "--words", type=int, help="Summary length in words (at most).")
@click.option("-r", "--ratio", type=float, help="Summary length as a share of the article's words.")
@click.option(
    "-m",
    "--method",
    type=click.Choice(sorted(SUMMARIZERS)),
    default=None,
    help="Summarization method. [default: precis]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.option(
    "--jsonl",
    "jsonl",
    metavar="FILE|-",
    help="Batch: summarize JSONL lines {id, text, title?}; no database.",
)
@pass_app
def summarize_command(
    app: AppContext,
    target: str | None,
    sentences: int | None,
    words: int | None,
    ratio: float | None,
    method: str | None,
    fmt: str,
    jsonl: str | None,
) -> None:
    """Summarize a stored article (ID), a file (PATH) or text on stdin.

    Every summary sentence is a sentence of the article; JSON output gives each one's
    index and character offsets in the article's clean text.
    """
    length = Length(sentences=sentences, words=words, ratio=ratio)
    method = method or app.settings.summary_method
    if jsonl is not None:
        if target is not None:
            raise PrecisError("give either TARGET or --jsonl, not both")
        failures = summarize_jsonl(jsonl, length, method)
        if failures:
            raise SystemExit(1)
        return
    if target is not None and target.isdigit():
        stored, summary = summarize_stored(app.store, int(target), length, method)
        _print(summary, fmt, {"id": stored.id, "title": stored.title}, length)
        return
    _summarize_input(app, target or "-", length, method, fmt)


def _summarize_input(app: AppContext, target: str, length: Length, method: str, fmt: str) -> None:
    articles = list(extract_inputs([target], app.settings))
    errors = [a for a in articles if isinstance(a, InputError)]
    if errors:
        raise errors[0]
    for article in articles:
        assert not isinstance(article, InputError)
        summary = summarize(parse(article.text, article.title), length, method)
        _print(summary, fmt, {"title": article.title, "origin": article.origin}, length)


def _print(summary: Summary, fmt: str, header: dict[str, Any], length: Length) -> None:
    if fmt == "json":
        echo_json(
            {
                **header,
                "method": summary.method,
                "length": length.key,
                "summary": summary_json(summary),
            }
        )
    else:
        click.echo(summary_text(summary, fmt, str(header.get("title") or "")))


def summarize_jsonl(path: str, length: Length, method: str, out: IO[str] | None = None) -> int:
    """The batch interface: one output line per input line, in order. Returns failures.

    A bad line (invalid JSON or UTF-8, no text) gets an ``{"id", "error"}`` line and a
    numbered message on stderr; the other lines are still summarized.
    """
    out = out or sys.stdout
    failures = 0
    for number, line in _numbered_lines(path):
        if line is not None and not line.strip():
            continue
        try:
            if line is None:
                raise InputError(path, "line is not valid UTF-8")
            record_id, summary = _summarize_record(line, length, method)
        except InputError as exc:
            failures += 1
            click.echo(f"error: {path}:{number}: {exc.reason}", err=True)
            record = None if line is None else _id_of(line)
            out.write(json.dumps({"id": record, "error": exc.reason}) + "\n")
            continue
        out.write(
            json.dumps({"id": record_id, "summary": summary_json(summary)}, ensure_ascii=False)
            + "\n"
        )
    return failures


def _numbered_lines(path: str) -> Iterator[tuple[int, str | None]]:
    """Lines of ``path`` (``-`` is stdin; ``.gz`` is decompressed) as text, None for a
    line that is not UTF-8."""
    try:
        with _open(path) as stream:
            for number, data in enumerate(stream, start=1):
                try:
                    yield number, data.decode("utf-8")
                except UnicodeDecodeError:
                    yield number, None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(path, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from exc


def _open(path: str) -> contextlib.AbstractContextManager[Iterable[bytes]]:
    if path == "-":  # not closed afterwards: stdin belongs to the caller
        return contextlib.nullcontext(sys.stdin.buffer)
    if path.endswith(".gz"):
        return gzip.GzipFile(path, "rb")
    return open(path, "rb")


def _summarize_record(line: str, length: Length, method: str) -> tuple[object, Summary]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError("-", f"invalid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise InputError("-", "each line must be an object with a 'text' string")
    title = record.get("title")
    title = title if isinstance(title, str) else ""
    return record.get("id"), summarize(parse(record["text"], title), length, method)


def _id_of(line: str) -> object:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record.get("id") if isinstance(record, dict) else None


COMMANDS = [summarize_command]
