"""``precis batch``: a corpus on Dask into Parquet; ``precis load``: that result into a database."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from precis.cli.context import AppContext
from precis.cli.output import echo_json
from precis.summarize import SUMMARIZERS, Length

if TYPE_CHECKING:
    from precis.batch import StoryStage
    from precis.config import Settings

pass_app = click.make_pass_decorator(AppContext)


def story_stage(settings: Settings) -> StoryStage:
    """The story clustering stage for batch runs, with the configured thresholds."""
    from precis.batchstories import BatchStories
    from precis.pipeline import story_params

    return BatchStories(story_params(settings), settings.duplicate_containment)


@click.command(name="batch")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Output directory (Parquet tables, report.json).",
)
@click.option(
    "--workers", type=click.IntRange(1), help="Local cluster size. [default: one per CPU]"
)
@click.option(
    "--scheduler", metavar="ADDRESS", help="Run on an existing Dask cluster (tcp://host:8786)."
)
@click.option(
    "--in-process",
    is_flag=True,
    help="Workers as threads in this process (small inputs, debugging).",
)
@click.option(
    "-m",
    "--method",
    type=click.Choice(sorted(SUMMARIZERS)),
    help="Summary method. [default: precis]",
)
@click.option("-s", "--sentences", type=int, help="Summary length in sentences.")
@click.option("-w", "--words", type=int, help="Summary length in words (at most).")
@click.option("-r", "--ratio", type=float, help="Summary length as a share of the words.")
@click.option(
    "--partition-mb",
    type=click.IntRange(1),
    default=16,
    show_default=True,
    help="Target JSONL partition size.",
)
@click.option(
    "--stories/--no-stories",
    default=True,
    show_default=True,
    help="Cluster the articles into stories (per-article work on the workers, assignment on the driver).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@pass_app
def batch_command(
    app: AppContext,
    inputs: tuple[str, ...],
    out: Path,
    workers: int | None,
    scheduler: str | None,
    in_process: bool,
    method: str | None,
    sentences: int | None,
    words: int | None,
    ratio: float | None,
    partition_mb: int,
    stories: bool,
    quiet: bool,
) -> None:  # fmt: skip
    """Extract, clean, summarize and de-duplicate a corpus in parallel on Dask.

    INPUT: .jsonl(.gz), .parquet or .warc(.gz) files or directories of them. Writes Parquet
    tables (articles, summaries, duplicates, stories, story_articles, errors) and report.json
    to --out DIR. A stopped
    run resumes: run the same command again. Bad records go to the errors table.
    """
    from precis.batch import dask_client, make_job, run_batch

    if logging.getLogger().getEffectiveLevel() > logging.INFO:  # -v shows Dask's own logs
        logging.getLogger("distributed").setLevel(logging.WARNING)
    settings = app.settings
    length = Length(sentences=sentences, words=words, ratio=ratio)
    job = make_job(
        out, method or settings.summary_method, length, settings.max_input_bytes,
        settings.boilerplate_rules, stories,
    )  # fmt: skip
    with (
        dask_client(workers, scheduler, processes=not in_process) as client,
        click.progressbar(length=1, label="partitions", hidden=quiet, file=sys.stderr) as bar,
    ):

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(1)

        report = run_batch(
            list(inputs), job, client, stories=story_stage(settings) if stories else None, progress=progress,
            partition_bytes=partition_mb * 1024 * 1024,
        )  # fmt: skip
    click.echo(
        f"{report.articles} articles, {report.errors} errors, {report.exact_duplicates} exact and "
        f"{report.near_duplicates} near duplicates, {report.stories or 0} stories from {report.records} records "
        f"({report.resumed} of {report.partitions} partitions resumed) -> {out}",
        err=True,
    )
    if not report.ok:
        raise click.ClickException(
            f"{len(report.failed_partitions)} partitions failed; run the same command to retry them"
        )


@click.command(name="load")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@pass_app
def load_command(app: AppContext, directory: Path) -> None:
    """Bulk-load a 'precis batch' result into the database (COPY on PostgreSQL).

    Articles already stored (same URL or text) are skipped, so loading twice is harmless.
    The batch's stories come along; articles that already had a story keep it.
    """
    from precis.batch import load_result
    from precis.pipeline import story_params

    loaded = load_result(app.store, directory, story_params(app.settings))
    echo_json(loaded)


COMMANDS = [batch_command, load_command]
