"""``precis serve``: the reader. Until the web app lands it prints the stored news."""

from __future__ import annotations

import click

from precis.cli.context import AppContext
from precis.cli.output import headline
from precis.pipeline import summarize_stored
from precis.summarize import Length

pass_app = click.make_pass_decorator(AppContext)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@pass_app
def serve(app: AppContext, host: str, port: int) -> None:
    """Start the reader."""
    store = app.store
    click.echo(f"database: {store.engine.url.render_as_string(hide_password=True)}")
    for stored in store.list(limit=100):
        _, summary = summarize_stored(store, stored.id, Length(), app.settings.summary_method)
        click.echo(f"\n#{stored.id} {stored.title}\n{headline(stored.article)}")
        for sentence in summary.sentences:
            click.echo(f"  - {sentence.text}")


COMMANDS = [serve]
