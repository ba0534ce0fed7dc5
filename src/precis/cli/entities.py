"""``precis entities``, ``precis entity NAME``, ``precis quotes``: who said what.

Stored articles are analysed lazily: each command first analyses articles that are new or
changed since (``--no-update`` skips that). ``precis quotes --jsonl`` is the batch
interface and needs no database.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from precis.cli import jsonl
from precis.cli.context import AppContext
from precis.cli.output import echo_json
from precis.entities import ENTITY_TYPES, Analyzer
from precis.errors import InputError, PrecisError
from precis.pipeline import analyse_entities
from precis.store import entities as entity_store

pass_app = click.make_pass_decorator(AppContext)
# Lines analysed together in the batch interface (one nlp.pipe call).
JSONL_BATCH = 64

_update_option = click.option(
    "--update/--no-update",
    default=True,
    show_default=True,
    help="First analyse stored articles that are new or changed.",
)
_format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def _update(app: AppContext, update: bool) -> None:
    if not update:
        return
    done = analyse_entities(app.store, model=app.settings.spacy_model)
    if done:
        click.echo(f"analysed {done} article(s)", err=True)


@click.command(name="entities")
@click.option("--type", "kind", type=click.Choice(ENTITY_TYPES), help="Only this kind.")
@click.option("-n", "--limit", type=int, default=30, show_default=True)
@_update_option
@_format_option
@pass_app
def entities_command(app: AppContext, kind: str | None, limit: int, update: bool, fmt: str) -> None:
    """The most mentioned people, organisations and places, with article (and story) counts."""
    _update(app, update)
    rows = entity_store.top_entities(app.store, kind, limit)  # type: ignore[arg-type]
    if fmt == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo("no entities yet; add articles with 'precis add'")
        return
    for row in rows:
        stories = f", {row['stories']} stories" if "stories" in row else ""
        click.echo(
            f"{row['mentions']:5d}  {row['name']} ({row['type']}) · "
            f"{row['articles']} articles{stories}"
        )


@click.command(name="entity")
@click.argument("name")
@_update_option
@_format_option
@pass_app
def entity_command(app: AppContext, name: str, update: bool, fmt: str) -> None:
    """One entity: the articles naming it, what it said, and what was said about it."""
    _update(app, update)
    detail = entity_store.entity_detail(app.store, name)
    if fmt == "json":
        echo_json(detail)
        return
    click.echo(f"{detail['name']} ({detail['type']})")
    click.echo(f"\nArticles ({len(detail['articles'])}):")
    for article in detail["articles"]:
        click.echo(f"  [{article['id']}] {article['title']} · {article['source'] or '-'}")
    for key, label in (("statements_by", "Said"), ("statements_about", "Said about them")):
        click.echo(f"\n{label} ({len(detail[key])}):")
        for statement in detail[key]:
            click.echo("  " + _statement_line(statement))


@click.command(name="quotes")
@click.option("--speaker", help="Only statements by this entity (or these words).")
@click.option("--story", type=int, help="Only statements in this story's articles.")
@click.option("--article", type=int, help="Only statements in this article.")
@click.option("-n", "--limit", type=int, default=100, show_default=True)
@click.option(
    "--jsonl", metavar="FILE|-", help="Batch: analyse JSONL lines {id, text}; no database."
)
@_update_option
@_format_option
@pass_app
def quotes_command(
    app: AppContext,
    speaker: str | None,
    story: int | None,
    article: int | None,
    limit: int,
    jsonl: str | None,
    update: bool,
    fmt: str,
) -> None:
    """Attributed statements: direct quotes and reported speech, with speaker and cue."""
    if jsonl is not None:
        if speaker or story or article:
            raise PrecisError("--jsonl reads its own input; drop --speaker/--story/--article")
        if quotes_jsonl(jsonl, Analyzer(app.settings.spacy_model)):
            raise SystemExit(1)
        return
    _update(app, update)
    rows = entity_store.list_statements(
        app.store, speaker=speaker, story=story, article=article, limit=limit
    )
    if fmt == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo("no statements found")
    for row in rows:
        click.echo(_statement_line(row))


def _statement_line(row: dict[str, Any]) -> str:
    text = f"“{row['text']}”" if row["direct"] else row["text"]
    cue = row["cue"] or "(continued)"
    return f"[{row['article_id']}] {row['speaker'] or '(unknown)'} {cue}: {text}"


def quotes_jsonl(path: str, analyzer: Analyzer, out: IO[str] | None = None) -> int:
    """The batch interface: one output line per input line, in order. Returns failures."""
    out = out or sys.stdout
    failures = 0
    for batch in _batches(jsonl.read_lines(path)):
        texts = [text for _, text in batch if isinstance(text, str)]
        analyses = iter(analyzer.analyse_many(texts))
        for line, text in batch:
            if isinstance(text, InputError):
                failures += 1
                jsonl.report(out, line, text)
                continue
            jsonl.write(out, {"id": line.id, **next(analyses).as_json()})
    return failures


def _batches(lines: Iterator[jsonl.Line]) -> Iterator[list[tuple[jsonl.Line, str | InputError]]]:
    """Lines with their text (or error) in groups of ``JSONL_BATCH`` for ``nlp.pipe``."""
    batch: list[tuple[jsonl.Line, str | InputError]] = []
    for line in lines:
        batch.append((line, _text(line)))
        if len(batch) >= JSONL_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _text(line: jsonl.Line) -> str | InputError:
    if line.error is not None:
        return line.error
    try:
        return jsonl.text_of(line)
    except InputError as exc:
        return exc


COMMANDS = [entities_command, entity_command, quotes_command]
