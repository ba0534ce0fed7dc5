"""``precis serve``: the reader (web pages and the JSON API) under uvicorn."""

from __future__ import annotations

import os

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
@pass_app
def serve(app: AppContext, host: str, port: int, workers: int) -> None:
    """Start the reader: open http://HOST:PORT/ in a browser; the API is under /api/."""
    import uvicorn

    from precis.web import create_app

    store = app.store  # opened (and migrated) once, before any worker starts
    where = store.engine.url.render_as_string(hide_password=True)
    writes = "enabled" if app.settings.api_token else "disabled (set PRECIS_API_TOKEN)"
    click.echo(f"database: {where}; API writes {writes}", err=True)
    click.echo(f"reading at http://{host}:{port}/", err=True)
    if workers == 1:
        target: object = create_app(app.settings, store)
    else:
        # Worker processes build their own app from the environment: pass the database on.
        os.environ["PRECIS_DATABASE_URL"] = store.engine.url.render_as_string(hide_password=False)
        target = "precis.web.app:app_from_environment"
    uvicorn.run(
        target,  # type: ignore[arg-type]
        host=host,
        port=port,
        workers=workers,
        factory=workers > 1,
        log_level="warning",
        access_log=False,
    )


COMMANDS = [serve]
