"""Commands on feeds: feed add/ls/rm/import/export, and fetch (poll due feeds once)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import click

from precis.cli.context import AppContext
from precis.cli.output import counted, echo_json
from precis.errors import InputError, PrecisError
from precis.ingest.fetch import check_url
from precis.ingest.opml import Subscription, parse_opml, render_opml
from precis.ingest.urls import normalise_url
from precis.models import Feed, iso
from precis.poller import Poller
from precis.store import feeds as feed_store

pass_app = click.make_pass_decorator(AppContext)

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL = 60  # seconds; polling a feed more often than once a minute is abuse


def parse_interval(value: str) -> int:
    """``90``, ``90s``, ``30m``, ``2h`` or ``1d`` as seconds."""
    match = _INTERVAL.match(value.lower())
    if match is None:
        raise PrecisError(f"--interval: {value!r} is not a duration; use e.g. 30m, 2h or 1d")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < MIN_INTERVAL:
        raise PrecisError(f"--interval: {value!r} is shorter than one minute")
    return seconds


def _subscribe(app: AppContext, url: str, name: str | None, interval: int) -> Feed:
    try:
        check_url(url)
    except PrecisError as exc:
        raise InputError(url, "is not an http or https URL") from exc
    normal = normalise_url(url)
    return feed_store.add_feed(app.store, normal, name or _default_name(normal), interval)


def _default_name(url: str) -> str:
    return urlsplit(url).hostname or url


@click.group()
def feed() -> None:
    """Manage feed subscriptions (RSS and Atom)."""


@feed.command(name="add")
@click.argument("url")
@click.option("--name", help="Name shown as the articles' source (default: the host).")
@click.option("--interval", default=None, help="Time between polls: 90s, 30m, 2h, 1d.")
@pass_app
def feed_add(app: AppContext, url: str, name: str | None, interval: str | None) -> None:
    """Subscribe to a feed; 'precis fetch' polls it."""
    seconds = parse_interval(interval) if interval else app.settings.feed_interval
    added = _subscribe(app, url, name, seconds)
    click.echo(f"subscribed: #{added.id} {added.name} {added.url}")


@feed.command(name="ls")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_app
def feed_ls(app: AppContext, fmt: str) -> None:
    """List subscriptions with their health: last fetch, status, errors, articles gained."""
    feeds = feed_store.list_feeds(app.store)
    if fmt == "json":
        echo_json([feed_json(f) for f in feeds])
        return
    if not feeds:
        click.echo("no feeds yet; subscribe with 'precis feed add URL'", err=True)
        return
    click.echo(f"{'id':>4}  {'name':<20}  {'last fetch':<16}  {'status':<12}  errors  added  url")
    for f in feeds:
        when = f.last_fetched_at.strftime("%Y-%m-%d %H:%M") if f.last_fetched_at else "never"
        status = f.last_status or "new"
        click.echo(
            f"{f.id:>4}  {f.name[:20]:<20}  {when:<16}  {status:<12}  "
            f"{f.error_count:>6}  {f.articles_added:>5}  {f.url}"
        )
        if f.last_error:
            click.echo(f"      error: {f.last_error}")


def feed_json(f: Feed) -> dict[str, object]:
    return {
        "id": f.id,
        "name": f.name,
        "url": f.url,
        "title": f.title,
        "site_url": f.site_url,
        "interval_seconds": f.interval_seconds,
        "last_fetched_at": iso(f.last_fetched_at),
        "last_success_at": iso(f.last_success_at),
        "next_due_at": iso(f.next_due_at),
        "status": f.last_status,
        "error": f.last_error,
        "error_count": f.error_count,
        "articles_added": f.articles_added,
    }


@feed.command(name="rm")
@click.argument("feeds", nargs=-1, required=True)
@pass_app
def feed_rm(app: AppContext, feeds: tuple[str, ...]) -> None:
    """Unsubscribe (by id, URL or name); stored articles stay."""
    for key in feeds:
        found = feed_store.get_feed(app.store, key)
        feed_store.remove_feed(app.store, found.id)
        click.echo(f"unsubscribed: #{found.id} {found.name}")


@feed.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--interval", default=None, help="Time between polls for every imported feed.")
@pass_app
def feed_import(app: AppContext, path: Path, interval: str | None) -> None:
    """Subscribe to every feed in an OPML file (ones already subscribed are skipped)."""
    seconds = parse_interval(interval) if interval else app.settings.feed_interval
    subscriptions = parse_opml(path.read_bytes(), str(path))
    added = skipped = failed = 0
    for sub in subscriptions:
        try:
            _subscribe(app, sub.url, sub.name, seconds)
            added += 1
        except feed_store.FeedExists:
            skipped += 1
        except InputError as exc:
            click.echo(f"error: {exc.message}", err=True)
            failed += 1
    click.echo(f"{added} subscribed, {skipped} already subscribed, {failed} failed")
    if failed:
        raise SystemExit(1)


@feed.command(name="export")
@pass_app
def feed_export(app: AppContext) -> None:
    """Print the subscriptions as OPML."""
    subs = [Subscription(f.url, f.name) for f in feed_store.list_feeds(app.store)]
    click.echo(render_opml(subs), nl=False)


@click.command()
@click.option("--all", "every", is_flag=True, help="Poll every feed, due or not.")
@click.option("-q", "--quiet", is_flag=True, help="Print only failures and the totals.")
@pass_app
def fetch(app: AppContext, every: bool, quiet: bool) -> None:
    """Poll every due feed once and store the new articles."""
    poller = Poller(app.store, app.settings)
    feeds = feed_store.list_feeds(app.store)
    if not feeds:
        click.echo("no feeds yet; subscribe with 'precis feed add URL'", err=True)
        return
    reports = poller.poll(feeds if every else None)
    if not reports:
        click.echo("no feed is due; 'precis feed ls' shows when they are", err=True)
        return
    added = failed = 0
    for report in reports:
        added += report.added
        if report.status == "error":
            failed += 1
            click.echo(f"error: {report.feed.name}: {report.error}", err=True)
            continue
        for problem in report.failed:
            click.echo(f"error: {report.feed.name}: {problem}", err=True)
        if not quiet:
            click.echo(
                f"{report.feed.name}: {report.status}, {report.added} added, "
                f"{report.existing} already stored, {len(report.failed)} failed"
            )
    click.echo(
        f"{counted(len(reports), 'feed')} polled, {counted(added, 'article')} added, "
        f"{counted(failed, 'feed')} failed"
    )
    if failed:
        raise SystemExit(1)


COMMANDS = [feed, fetch]
