"""``precis summarize``: one stored article, one file, stdin, or a JSONL batch."""

from __future__ import annotations

import sys
from typing import IO, Any

import click

from precis.cli import jsonl
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

    \b
    Examples:
      precis summarize 12 -s 3                  stored article 12, three sentences
      precis summarize page.html --format markdown
      cat article.txt | precis summarize -w 60  at most 60 words
      precis summarize --jsonl in.jsonl > out.jsonl
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
    for line in jsonl.read_lines(path):
        try:
            if line.error is not None:
                raise line.error
            summary = _summarize_record(line, length, method)
        except InputError as exc:
            failures += 1
            jsonl.report(out, line, exc)
            continue
        jsonl.write(out, {"id": line.id, "summary": summary_json(summary)})
    return failures


def _summarize_record(line: jsonl.Line, length: Length, method: str) -> Summary:
    assert line.record is not None
    title = line.record.get("title")
    title = title if isinstance(title, str) else ""
    return summarize(parse(jsonl.text_of(line), title), length, method)


COMMANDS = [summarize_command]
