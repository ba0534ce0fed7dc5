"""``precis serve``: the reader (web pages and the JSON API) under uvicorn."""

from __future__ import annotations

import click

from precis.cli.context import AppContext

pass_app = click.make_pass_decorator(AppContext)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@pass_app
def serve(app: AppContext, host: str, port: int) -> None:
    """Start the reader: open http://HOST:PORT/ in a browser; the API is under /api/."""
    import uvicorn

    from precis.web import create_app

    web = create_app(app.settings, app.store)
    where = app.store.engine.url.render_as_string(hide_password=True)
    writes = "enabled" if app.settings.api_token else "disabled (set PRECIS_API_TOKEN)"
    click.echo(f"database: {where}; API writes {writes}", err=True)
    click.echo(f"reading at http://{host}:{port}/", err=True)
    uvicorn.run(web, host=host, port=port, log_level="warning", access_log=False)


COMMANDS = [serve]
