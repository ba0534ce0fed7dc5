"""``precis summarize``: one stored article, one file, stdin, or a JSONL batch."""

from __future__ import annotations

import json
import sys
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
    """The batch interface: one output line per input line, in order. Returns failures."""
    out = out or sys.stdout
    failures = 0
    stream = sys.stdin if path == "-" else _open(path)
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record_id, summary = _summarize_record(line, length, method)
            except InputError as exc:
                failures += 1
                click.echo(f"error: {path}:{number}: {exc.reason}", err=True)
                out.write(json.dumps({"id": _id_of(line), "error": exc.reason}) + "\n")
                continue
            out.write(
                json.dumps({"id": record_id, "summary": summary_json(summary)}, ensure_ascii=False)
                + "\n"
            )
    return failures


def _open(path: str) -> IO[str]:
    try:
        if path.endswith(".gz"):
            import gzip

            return gzip.open(path, "rt", encoding="utf-8")
        return open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from exc


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
