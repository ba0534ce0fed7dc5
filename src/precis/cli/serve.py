"""``precis serve``: the reader (web pages and the JSON API) under uvicorn.

Feeds are polled in the background unless ``--no-poll`` or ``PRECIS_POLL_FEEDS=false``.
Exactly one process polls: with one worker, the app's lifespan runs the poller; with
``--workers N`` the parent process (uvicorn's supervisor, which serves no requests)
runs it and the workers are started with ``PRECIS_POLL_FEEDS=false``. The parent is
the one process that lives as long as the server, is never restarted by uvicorn, and
exists exactly once, so no lock or leader election between workers is needed.
"""

from __future__ import annotations

import dataclasses
import os
import threading

import click

from precis.cli.context import AppContext

pass_app = click.make_pass_decorator(AppContext)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes; one per CPU core suits a busy server.",
)
@click.option(
    "--poll/--no-poll",
    default=None,
    help="Poll feeds in the background on their schedules [default: PRECIS_POLL_FEEDS, on].",
)
@pass_app
def serve(app: AppContext, host: str, port: int, workers: int, poll: bool | None) -> None:
    """Start the reader: open http://HOST:PORT/ in a browser; the API is under /api/."""
    import uvicorn

    from precis.web import create_app
    from precis.web.app import start_poller

    settings = app.settings
    if poll is not None:
        settings = dataclasses.replace(settings, poll_feeds=poll)
    store = app.store  # opened (and migrated) once, before any worker starts
    where = store.engine.url.render_as_string(hide_password=True)
    writes = "enabled" if settings.api_token else "disabled (set PRECIS_API_TOKEN)"
    polling = "on" if settings.poll_feeds else "off"
    click.echo(f"database: {where}; API writes {writes}; feed polling {polling}", err=True)
    click.echo(f"reading at http://{host}:{port}/", err=True)
    stop = threading.Event()
    poller = None
    if workers == 1:
        target: object = create_app(settings, store)  # its lifespan polls
    else:
        # Worker processes build their own app from the environment: pass the database
        # on, and leave the polling to this process.
        os.environ["PRECIS_DATABASE_URL"] = store.engine.url.render_as_string(hide_password=False)
        os.environ["PRECIS_POLL_FEEDS"] = "false"
        target = "precis.web.app:app_from_environment"
        if settings.poll_feeds:
            poller = start_poller(store, settings, stop)
    try:
        uvicorn.run(
            target,  # type: ignore[arg-type]
            host=host,
            port=port,
            workers=workers,
            factory=workers > 1,
            log_level="warning",
            access_log=False,
        )
    finally:
        stop.set()
        if poller is not None:
            poller.join(10.0)


COMMANDS = [serve]
