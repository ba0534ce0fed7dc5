"""Commands on articles: add, extract, ls, search, show, rm, info, migrate."""

from __future__ import annotations

from datetime import datetime

import click

from precis.cli.context import AppContext
from precis.cli.output import (
    article_json,
    counted,
    echo_json,
    fit,
    headline,
    stored_json,
    terminal_width,
    wrap,
    wrap_snippet,
)
from precis.errors import FetchError, InputError, NotFound, PrecisError
from precis.extract.metadata import parse_date
from precis.ingest.urls import is_web_url
from precis.pipeline import IngestReport, assign_stories, extract_inputs, ingest, remove
from precis.pipeline import reextract as reextract_articles
from precis.poller import add_url
from precis.store import AddResult
from precis.store.search import search as search_store

pass_app = click.make_pass_decorator(AppContext)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-q", "--quiet", is_flag=True, help="Print only the totals and errors.")
@pass_app
def add(app: AppContext, paths: tuple[str, ...], quiet: bool) -> None:
    """Ingest files, directories (recursively), stdin (-) or web pages (http/https URLs).

    Plain text (.txt, .md), HTML (.html, .htm), JSONL corpora (.jsonl) and their .gz
    variants. Re-adding a stored article is a no-op that says "already stored".
    """
    urls = [p for p in paths if is_web_url(p)]
    paths = tuple(p for p in paths if not is_web_url(p))

    def progress(origin: str, outcome: AddResult | InputError) -> None:
        if isinstance(outcome, InputError):
            click.echo(f"error: {outcome.message}", err=True)
        elif not quiet:
            state = "added" if outcome.created else f"already stored ({outcome.reason})"
            click.echo(f"{state}: #{outcome.id} {origin}")

    report = ingest(app.store, paths, app.settings, progress=progress) if paths else IngestReport()
    for url in urls:
        try:
            origin, outcome = add_url(app.store, app.settings, url)
        except (InputError, FetchError) as exc:
            failure = exc if isinstance(exc, InputError) else InputError(exc.url, exc.reason)
            report.failed.append(failure)
            progress(url, failure)
            continue
        (report.added if outcome.created else report.existing).append((origin, outcome))
        progress(origin, outcome)
    if urls:  # the pages fetched, and any article their sites' templates reopened
        assign_stories(app.store, None, app.settings)
    click.echo(
        f"{len(report.added)} added, {len(report.existing)} already stored, "
        f"{len(report.failed)} failed",
        err=quiet,
    )
    if not report.ok:
        raise SystemExit(1)


@click.command()
@click.argument("path")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_app
def extract(app: AppContext, path: str, fmt: str) -> None:
    """Show what extraction yields for one input (file or -), storing nothing."""
    failed = False
    for item in extract_inputs([path], app.settings):
        if isinstance(item, InputError):
            click.echo(f"error: {item.message}", err=True)
            failed = True
        elif fmt == "json":
            echo_json(article_json(item))
        else:
            click.echo(item.title)
            click.echo(headline(item))
            if item.url:
                click.echo(item.url)
            click.echo("")
            click.echo(item.text.replace("\n", "\n\n"))
    if failed:
        raise SystemExit(1)


def _date(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise PrecisError(f"{option}: {value!r} is not a date; use YYYY-MM-DD")
    return parsed


SOURCE_COLUMN = 20  # characters of the source in ``ls``; longer names end in an ellipsis


@click.command(name="ls")
@click.option("--source", help="Only this source (outlet).")
@click.option("--since", metavar="DATE", help="Published on or after (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Published before (YYYY-MM-DD).")
@click.option(
    "-n", "--limit", type=click.IntRange(1, 10_000), default=50, show_default=True,
    help="Show at most this many articles.",
)  # fmt: skip
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many first.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_app
def ls(
    app: AppContext,
    source: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    offset: int,
    fmt: str,
) -> None:
    """List stored articles, newest first (undated ones last).

    On a terminal long titles are cut to its width; piped, lines are kept whole.
    Example: precis ls --source Reuters --since 2026-10-01 -n 10
    """
    found = app.store.list(
        source=source,
        since=_date(since, "--since"),
        until=_date(until, "--until"),
        limit=limit,
        offset=offset,
    )
    if fmt == "json":
        echo_json([stored_json(s, text=False) for s in found])
        return
    width = terminal_width()
    for stored in found:
        when = (
            stored.article.published.strftime("%Y-%m-%d")
            if stored.article.published
            else "----------"
        )
        source_name = fit(stored.article.source or "-", SOURCE_COLUMN)
        line = f"{stored.id:>6}  {when}  {source_name:<{SOURCE_COLUMN}}  {stored.title}"
        click.echo(fit(line, width))
    if not found:
        click.echo(
            "no articles match; 'precis ls' with no options lists them all"
            if app.store.count()
            else "no articles stored yet; add some with 'precis add PATH'",
            err=True,
        )


@click.command()
@click.argument("words", nargs=-1, required=True)
@click.option("-n", "--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_app
def search(app: AppContext, words: tuple[str, ...], limit: int, offset: int, fmt: str) -> None:
    """Find stored articles containing every word, best matches first (the reader's
    search: titles count more than the text; words are matched by their stems)."""
    query = " ".join(words)
    page = search_store(app.store, query, limit=limit, offset=offset)
    if not page.terms:
        raise PrecisError(f"the query {query!r} has no words to search for; give one or more")
    if fmt == "json":
        echo_json(
            {
                "query": query,
                "total": page.total,
                "results": [
                    {
                        **stored_json(hit.article, text=False),
                        **hit.fields(),
                    }
                    for hit in page.hits
                ],
            }
        )
        return
    click.echo(f"{counted(page.total, 'matching article')}", err=True)
    width = terminal_width()
    for hit in page.hits:
        stored = hit.article
        when = stored.article.published.strftime("%Y-%m-%d") if stored.article.published else ""
        source_name = stored.article.source or "-"
        click.echo(fit(f"{stored.id:>6}  {when:<10}  {source_name}: {stored.title}", width))
        click.echo(wrap_snippet(hit.snippet, width))


@click.command()
@click.argument("article_id", type=int)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--raw", is_flag=True, help="Print the raw input as received instead.")
@pass_app
def show(app: AppContext, article_id: int, fmt: str, raw: bool) -> None:
    """Show one stored article."""
    stored = app.store.get(article_id)
    if raw:
        click.echo(stored.article.raw or "")
    elif fmt == "json":
        echo_json(stored_json(stored))
    else:
        click.echo(stored.title)
        click.echo(headline(stored.article))
        if stored.article.url:
            click.echo(stored.article.url)
        click.echo("")
        click.echo(stored.text.replace("\n", "\n\n"))


@click.command()
@click.argument("article_ids", type=int, nargs=-1, required=True)
@pass_app
def rm(app: AppContext, article_ids: tuple[int, ...]) -> None:
    """Delete stored articles (and their cached summaries); their copies are placed in
    stories again. An unknown ID is reported and the others are still deleted."""
    failed = False
    for article_id in article_ids:
        try:
            remove(app.store, app.settings, article_id)
        except NotFound as exc:
            click.echo(f"error: {exc.message}", err=True)
            failed = True
            continue
        click.echo(f"deleted #{article_id}")
    if failed:
        raise SystemExit(1)


INFO_SOURCES = 10  # the biggest sources shown by ``info``; a crawl can have hundreds


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_app
def info(app: AppContext, fmt: str) -> None:
    """Where the database is, what it holds, and the settings in force."""
    store = app.store
    revision = list(store.revision())
    data: dict[str, object] = {
        "database": store.engine.url.render_as_string(hide_password=True),
        "schema_revision": revision,
        "articles": store.count(),
        "sources": dict(store.sources()),
        "settings": {name: value for name, value, _ in app.settings.describe()},
    }
    if fmt == "json":
        echo_json(data)
        return
    click.echo(f"database:  {data['database']}")
    click.echo(f"schema:    {', '.join(revision)}")
    click.echo(f"articles:  {data['articles']}")
    sources = store.sources()
    for name, count in sources[:INFO_SOURCES]:
        click.echo(f"  {count:>5}  {name}")
    if len(sources) > INFO_SOURCES:
        more = counted(len(sources) - INFO_SOURCES, "more source")
        click.echo(f"  ({more}; 'precis info --format json' lists them all)")
    click.echo("settings (env PRECIS_<NAME>):")
    width = terminal_width()
    for name, value, help_text in app.settings.describe():
        click.echo(f"  {name} = {value}")
        click.echo(wrap(help_text, "      ", width))


@click.command()
@click.argument("article_ids", type=int, nargs=-1)
@pass_app
def reextract(app: AppContext, article_ids: tuple[int, ...]) -> None:
    """Run extraction again on the stored raw input (of the given IDs, or of every article).

    Use it after upgrading precis or changing PRECIS_BOILERPLATE_RULES. Cached summaries
    of an article whose text changes are recomputed on next use.
    """
    for article_id in article_ids:  # an unknown ID stops the command before any work
        app.store.get(article_id)
    counts = {"changed": 0, "unchanged": 0, "failed": 0}
    for outcome in reextract_articles(app.store, app.settings, article_ids):
        counts[outcome.state] += 1
        if outcome.state == "failed":
            click.echo(f"error: #{outcome.id}: {outcome.detail}", err=True)
        elif outcome.state == "changed":
            click.echo(f"re-extracted: #{outcome.id}")
    click.echo(
        f"{counts['changed']} changed, {counts['unchanged']} unchanged, {counts['failed']} failed"
    )
    if counts["failed"]:
        raise SystemExit(1)


@click.command()
@pass_app
def migrate(app: AppContext) -> None:
    """Upgrade the database schema to the latest version (and store the sentence spans
    of articles that have none, so the reader need not split them)."""
    app.store.migrate()
    filled = app.store.fill_sentences()
    click.echo(f"schema at {', '.join(app.store.revision())}")
    if filled:
        click.echo(f"stored the sentence split of {filled} articles")


COMMANDS = [add, extract, ls, search, show, rm, reextract, info, migrate]
