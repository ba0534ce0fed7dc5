"""``precis export`` / ``precis import``: move a database between backends as JSONL."""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import click

from precis.cli.context import AppContext
from precis.errors import InputError
from precis.pipeline import story_params
from precis.store.transfer import TransferReport, export_jsonl, import_jsonl

pass_app = click.make_pass_decorator(AppContext)


@click.command(name="export")
@click.option(
    "-o", "--out", default="-", metavar="FILE|-", show_default=True,
    help="Where to write the JSONL (.gz compresses).",
)  # fmt: skip
@pass_app
def export_command(app: AppContext, out: str) -> None:
    """Export the whole database as JSONL, losslessly (articles with raw input and
    timestamps, cached summaries, feeds, entity analyses, stories with corrections).
    Import it anywhere with 'precis import'; derived indexes are rebuilt there."""
    with _open(out, "w") as stream:
        report = export_jsonl(app.store, stream)
    click.echo(f"exported {_totals(report.read)}", err=True)


@click.command(name="import")
@click.argument("path", metavar="FILE|-")
@pass_app
def import_command(app: AppContext, path: str) -> None:
    """Import a 'precis export' file; records already stored are skipped."""
    with _open(path, "r") as stream:
        report = import_jsonl(app.store, stream, origin=path, params=story_params(app.settings))
    click.echo(f"imported {_summary(report)}", err=True)


@contextmanager
def _open(path: str, mode: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdout if mode == "w" else sys.stdin
        return
    try:
        # closed by the ``with`` below; opened here so the error names the path
        stream: IO[str] = (
            gzip.open(path, "wt" if mode == "w" else "rt", encoding="utf-8")  # noqa: SIM115
            if path.endswith(".gz")
            else open(path, mode, encoding="utf-8")  # noqa: SIM115
        )
    except OSError as exc:
        raise InputError(path, f"cannot be opened ({exc.strerror or exc})") from exc
    with stream:
        yield stream


def _noun(kind: str, n: int) -> str:
    """``feed_entry`` -> "feed entries", ``entity_analysis`` -> "entity analyses"."""
    word = kind.replace("_", " ")
    if n == 1:
        return word
    if word.endswith("y"):
        return word[:-1] + "ies"
    if word.endswith("is"):
        return word[:-2] + "es"
    return word + "s"


def _totals(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {_noun(kind, n)}" for kind, n in counts.items()) or "nothing"


def _summary(report: TransferReport) -> str:
    parts = [
        f"{report.inserted.get(kind, 0)} of {n} {_noun(kind, n)}" for kind, n in report.read.items()
    ]
    skipped = sum(report.read.values()) > sum(report.inserted.values())
    return (", ".join(parts) or "nothing") + (" (the rest were already stored)" if skipped else "")


COMMANDS = [export_command, import_command]
