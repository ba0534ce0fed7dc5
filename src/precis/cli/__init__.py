"""The ``precis`` command line. Subcommands live in one module per concept."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from precis import __version__
from precis.cli.context import AppContext
from precis.errors import PrecisError


class PrecisGroup(click.Group):
    """Turns a ``PrecisError`` into a one-line message and exit status 1 (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PrecisError as exc:
            raise click.ClickException(exc.message) from exc


EXAMPLES = """\b
Examples:
  precis add ~/news/ feed.jsonl.gz    ingest files, directories, JSONL corpora
  precis ls --source Reuters -n 20    the newest articles of one outlet
  precis search rate cut              full-text search
  precis summarize 12 -s 3            a three-sentence summary of article 12
  cat page.html | precis summarize    summarize stdin, storing nothing
  precis stories                      stories, most independent sources first
  precis story 7 --summary            one story and its cited summary
  precis serve                        the reader at http://127.0.0.1:8000/
"""


@click.group(
    cls=PrecisGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXAMPLES,
)
@click.option(
    "--db",
    "database_url",
    metavar="URL|PATH",
    help="Database: a path to an SQLite file or an SQLAlchemy URL. [env: PRECIS_DATABASE_URL]",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log what precis does (-vv: debug, with the libraries' own messages).",
)
@click.version_option(__version__, prog_name="precis")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, verbose: int) -> None:
    """precis: read the news, not the noise.

    Ingest articles, keep them in a database, summarize any of them faithfully.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if verbose < 2:  # the schema check's INFO lines on every start say nothing to a user
        logging.getLogger("alembic").setLevel(logging.WARNING)
    ctx.obj = AppContext.create(database_url)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """Console entry point."""
    try:
        cli.main(prog_name="precis")
    except KeyboardInterrupt:
        click.echo("interrupted; every article already reported as added is stored", err=True)
        sys.exit(130)


def _register() -> None:
    from precis.cli import articles, batch, entities, feeds, serve, stories, summaries, transfer

    for module in (articles, summaries, stories, feeds, entities, serve, transfer, batch):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()
