"""Stories: ``precis stories``, ``precis story ID [--summary]``, corrections, batch modes.

``precis story merge A B`` / ``split STORY ARTICLE...`` / ``move ARTICLE STORY`` correct
the automatic grouping; ``precis cluster --jsonl`` and ``precis story-summary --jsonl``
run the same algorithms on JSONL with no database.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import click

from precis.cli import jsonl
from precis.cli.context import AppContext
from precis.cli.output import counted, echo_json, fit, terminal_width, when, wrap
from precis.cluster.assign import cluster
from precis.cluster.features import ArticleInput
from precis.cluster.storysum import Point, SourceArticle, StorySummary, summarize_story
from precis.errors import InputError
from precis.extract.metadata import parse_date
from precis.models import iso
from precis.pipeline import assign_stories, story_params, story_store
from precis.store.stories import StoryView
from precis.summarize import Length

pass_app = click.make_pass_decorator(AppContext)
FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


@click.command(name="stories")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True)
@FORMAT
@pass_app
def stories_command(app: AppContext, limit: int, fmt: str) -> None:
    """Stories with the most independent sources first, then the newest.

    Articles stored without a story (e.g. before this version) are placed first.
    """
    assign_stories(app.store, None, app.settings)
    views = story_store(app.store, app.settings).list(limit=limit)
    if fmt == "json":
        echo_json([_story_json(v, articles=False) for v in views])
        return
    if not views:
        click.echo("no stories yet; add articles with 'precis add PATH'")
    width = terminal_width()
    for view in views:
        originals = sum(1 for a in view.articles if a.duplicate_of is None)
        click.echo(fit(f"#{view.id}  {view.title}", width))
        click.echo(
            f"     {counted(len(view.sources), 'independent source')}, "
            f"{counted(len(view.articles), 'article')} "
            f"({counted(len(view.articles) - originals, 'copy', 'copies')}), "
            f"latest {when(view.latest)}"
        )
        click.echo(wrap(", ".join(view.sources), "     ", width))


class StoryGroup(click.Group):
    """``precis story ID`` shows a story; ``precis story merge|split|move`` correct them."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "show", self.commands["show"], args
        return super().resolve_command(ctx, args)


@click.group(name="story", cls=StoryGroup)
def story_group() -> None:
    """Show a story or correct the automatic grouping.

    \b
    precis story ID                   its articles and why they are together
    precis story ID --summary [-s N]  with the cited multi-source summary
    precis story ID --format json     the same as JSON
    precis story merge|split|move ... corrections (see their --help)
    """


@story_group.command(name="show", hidden=True)
@click.argument("story_id", type=int)
@click.option("--summary", is_flag=True, help="Show the cited multi-source summary.")
@click.option("-s", "--sentences", type=int, help="Summary length in sentences.")
@click.option("-w", "--words", type=int, help="Summary length in words (at most).")
@click.option("-r", "--ratio", type=float, help="Summary length as a share of the words.")
@FORMAT
@pass_app
def show(
    app: AppContext,
    story_id: int,
    summary: bool,
    sentences: int | None,
    words: int | None,
    ratio: float | None,
    fmt: str,
) -> None:
    """Articles of a story by source and time, and why they are together."""
    length = Length(sentences=sentences, words=words, ratio=ratio)
    view = story_store(app.store, app.settings).get(story_id)
    result = _summarize_view(view, length) if summary else None
    if fmt == "json":
        data = _story_json(view, articles=True)
        if result is not None:
            data["summary"] = summary_json(result)
        echo_json(data)
        return
    width = terminal_width()
    click.echo(fit(f"#{view.id}  {view.title}", width))
    click.echo(
        wrap(f"{counted(len(view.sources), 'independent source')}: {', '.join(view.sources)}",
             "", width)
    )  # fmt: skip
    for article in view.articles:
        line, why = _article_lines(article)
        click.echo(fit(line, width))
        click.echo(wrap(why, "      ", width))
    if result is not None:
        click.echo("")
        click.echo(summary_text(result))


@story_group.command(name="merge")
@click.argument("into", type=int)
@click.argument("other", type=int)
@pass_app
def merge(app: AppContext, into: int, other: int) -> None:
    """Merge story OTHER into story INTO."""
    story_store(app.store, app.settings).merge(into, other)
    click.echo(f"merged story {other} into story {into}")


@story_group.command(name="split")
@click.argument("story_id", type=int)
@click.argument("article_ids", type=int, nargs=-1, required=True)
@pass_app
def split(app: AppContext, story_id: int, article_ids: tuple[int, ...]) -> None:
    """Move ARTICLE_IDS (with their copies) out of STORY_ID into a new story."""
    new_id = story_store(app.store, app.settings).split(story_id, list(article_ids))
    click.echo(
        f"split {counted(len(article_ids), 'article')} from story {story_id} into story {new_id}"
    )


@story_group.command(name="reindex")
@pass_app
def reindex(app: AppContext) -> None:
    """Rebuild the story index (postings, term frequencies, near-duplicate buckets) from
    the stored articles; stories and corrections stay as they are."""
    count = story_store(app.store, app.settings).rebuild_index()
    click.echo(f"indexed {count} articles")


@story_group.command(name="move")
@click.argument("article_id", type=int)
@click.argument("story_id", type=int)
@pass_app
def move(app: AppContext, article_id: int, story_id: int) -> None:
    """Move ARTICLE_ID (with its copies) into story STORY_ID."""
    story_store(app.store, app.settings).move(article_id, story_id)
    click.echo(f"moved article {article_id} to story {story_id}")


@click.command(name="cluster")
@click.option("--jsonl", "path", metavar="FILE|-", required=True, help="Input JSONL.")
@pass_app
def cluster_command(app: AppContext, path: str) -> None:
    """Group JSONL articles {id, text, title?, source?, published?, url?} into stories.

    Writes {"id", "story", "duplicate_of"} lines in input order, with the ids as given
    (a story is named by the id of one of its articles); no database. Paragraphs
    that three or more articles of one site (url's host, else source) repeat at the top
    or bottom of their text are that site's template and do not count.
    """
    given: dict[str, Any] = {}  # the ids as the input gave them (a number stays a number)
    records = []
    for record, where in jsonl.records(path):
        article = _article_input(record, where)
        given[article.id] = record["id"]
        records.append(article)
    try:
        result = cluster(records, story_params(app.settings), app.settings.duplicate_containment)
    except ValueError as exc:
        raise InputError(path, str(exc)) from exc
    for item in result:
        dup = item.duplicate_of
        _write(
            {
                "id": given[item.id],
                "story": given.get(item.story, item.story),
                "duplicate_of": None if dup is None else given.get(dup, dup),
            }
        )


@click.command(name="story-summary")
@click.option("--jsonl", "path", metavar="FILE|-", required=True, help="Input JSONL.")
@click.option("-s", "--sentences", type=int, help="Summary length in sentences.")
@click.option("-w", "--words", type=int, help="Summary length in words (at most).")
@click.option("-r", "--ratio", type=float, help="Summary length as a share of the words.")
def story_summary_command(
    path: str, sentences: int | None, words: int | None, ratio: float | None
) -> None:
    """Summarize JSONL stories {id, articles: [{id, text, title?, source?}]}; no database.

    Writes {"id", "summary": [{"text", "sources"}], "common", "only_here",
    "disagreements"} lines in input order; a bad line gets {"id", "error"} (as with
    'precis summarize --jsonl') and the others are still summarized.
    """
    length = Length(sentences=sentences, words=words, ratio=ratio)
    failures = 0
    for line in jsonl.read_lines(path):
        try:
            result = _story_summary(line, length)
        except InputError as exc:
            failures += 1
            jsonl.report(sys.stdout, line, exc)
            continue
        _write({"id": line.id, **summary_json(result)})
    if failures:
        raise SystemExit(1)


def _story_summary(line: jsonl.Line, length: Length) -> StorySummary:
    if line.error is not None:
        raise line.error
    assert line.record is not None
    articles = line.record.get("articles")
    if not isinstance(articles, list):
        raise InputError(line.where, "each line needs an 'articles' list")
    sources = [_source_article(a, line.where) for a in articles]
    try:
        return summarize_story(sources, length)
    except ValueError as exc:
        raise InputError(line.where, str(exc)) from exc


# -- rendering --------------------------------------------------------------------------
def _summarize_view(view: StoryView, length: Length) -> StorySummary:
    originals = [a for a in view.articles if a.duplicate_of is None]
    sources = [SourceArticle(str(a.id), a.text, a.title, a.source) for a in originals]
    return summarize_story(sources, length)


def _point_json(point: Point) -> dict[str, Any]:
    return {"text": point.text, "sources": list(point.sources), "quotes": point.quotes}


def summary_json(result: StorySummary) -> dict[str, Any]:
    return {
        "summary": [_point_json(p) for p in result.overview],
        "common": [_point_json(p) for p in result.common],
        "only_here": {k: [_point_json(p) for p in v] for k, v in result.only_here.items()},
        "disagreements": [
            {"point": d.point, "claims": d.claims, "values": d.values} for d in result.disagreements
        ],
    }


def _cite(point: Point) -> str:
    return f"{point.text} [{', '.join('#' + s for s in point.sources)}]"


def summary_text(result: StorySummary) -> str:
    lines = ["Summary:"] + [f"  {_cite(p)}" for p in result.overview]
    if result.common:
        lines += ["", "Common ground (two or more independent sources):"]
        lines += [f"  - {_cite(p)}" for p in result.common]
    for source, points in result.only_here.items():
        lines += ["", f"Only in {source}:"] + [f"  - {_cite(p)}" for p in points]
    if result.disagreements:
        lines += ["", "Sources disagree:"]
        for d in result.disagreements:
            said: dict[str, list[str]] = {}  # the numbers -> the articles giving them
            for a in d.claims:
                said.setdefault(", ".join(d.values[a]), []).append(f"#{a}")
            sides = " vs ".join(f"{v} ({', '.join(ids)})" for v, ids in said.items())
            lines += [f"  - {sides}"] + [f"      #{a}: {text}" for a, text in d.claims.items()]
    return "\n".join(lines)


def _article_lines(article: Any) -> tuple[str, str]:
    """The article's line in a story, and why it is there."""
    line = f"  #{article.id}  {article.source or '(no source)'}  {when(article.published)}  {article.title}"
    if article.duplicate_of is not None:
        return line, f"copy of #{article.duplicate_of}"
    why = article.explanation
    if article.pinned:
        return line, "placed here by a correction"
    if not why:
        return line, "first article of the story"
    shared = "; ".join(f"{kind}: {', '.join(keys)}" for kind, keys in why.get("shared", {}).items())
    return line, f"joined at {why.get('average')} (closest #{why.get('closest')}); shares {shared}"


def _story_json(view: StoryView, *, articles: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": view.id,
        "title": view.title,
        "sources": view.sources,
        "independent_sources": len(view.sources),
        "articles": len(view.articles),
        "latest": iso(view.latest),
        "corrected": view.corrected,
    }
    if articles:
        data["articles"] = [
            {
                "id": a.id,
                "title": a.title,
                "source": a.source,
                "published": iso(a.published),
                "duplicate_of": a.duplicate_of,
                "pinned": a.pinned,
                "score": a.score,
                "why": a.explanation,
            }
            for a in view.articles
        ]
    return data


def _text(record: dict[str, Any], key: str, where: str, required: bool = False) -> str:
    value = record.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InputError(where, f"'{key}' must be a string")
    return value


def _article_input(record: dict[str, Any], where: str) -> ArticleInput:
    if "id" not in record:
        raise InputError(where, "each line needs an 'id'")
    published: datetime | None = None
    if record.get("published"):
        published = parse_date(_text(record, "published", where))
        if published is None:
            raise InputError(where, "'published' is not a date; use ISO 8601")
    return ArticleInput(
        id=str(record["id"]),
        text=_text(record, "text", where, required=True),
        title=_text(record, "title", where),
        source=_text(record, "source", where) or None,
        published=published,
        url=_text(record, "url", where) or None,
    )


def _source_article(item: object, where: str) -> SourceArticle:
    if not isinstance(item, dict) or "id" not in item:
        raise InputError(where, "each article needs an 'id' and a 'text'")
    return SourceArticle(
        id=str(item["id"]),
        text=_text(item, "text", where, required=True),
        title=_text(item, "title", where),
        source=_text(item, "source", where) or None,
    )


def _write(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


COMMANDS: list[click.Command] = [
    stories_command,
    story_group,
    cluster_command,
    story_summary_command,
]
