"""Rendering records for the terminal and for JSON consumers."""

from __future__ import annotations

import json
import re
import shutil
import sys
import textwrap
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

from precis.models import Article, StoredArticle, Summary, iso


def article_json(article: Article, article_id: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {} if article_id is None else {"id": article_id}
    data.update(
        title=article.title,
        source=article.source,
        author=article.author,
        published=iso(article.published),
        url=article.url,
        text=article.text,
    )
    return data


def stored_json(stored: StoredArticle, *, text: bool = True) -> dict[str, Any]:
    data = article_json(stored.article, stored.id)
    data["ingested_at"] = iso(stored.ingested_at)
    data["words"] = len(stored.text.split())
    if not text:
        del data["text"]
    return data


def summary_json(summary: Summary) -> list[dict[str, Any]]:
    return [
        {"index": s.index, "text": s.text, "start": s.start, "end": s.end}
        for s in summary.sentences
    ]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 article``, ``2 articles``; ``plural`` for nouns that take more than an s."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def terminal_width() -> int | None:
    """The terminal's width when stdout is one; ``None`` when piped (keep whole lines)."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def fit(line: str, width: int | None) -> str:
    """``line`` cut to ``width`` columns with an ellipsis, so a long title does not wrap
    under the next row of a listing; unchanged when ``width`` is ``None``."""
    if width is None or len(line) <= width:
        return line
    return line[: max(width - 1, 0)] + "…"


def wrap(text: str, indent: str, width: int | None) -> str:
    """``text`` under ``indent``, wrapped to ``width`` (one line when ``width`` is None)."""
    if width is None or width - len(indent) < MIN_WRAP:
        return indent + text
    return textwrap.fill(
        text, width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    )


# Narrower than this after the indent, wrapping helps less than one long line does.
MIN_WRAP = 30


def when(moment: datetime | None) -> str:
    """A time for a listing: ``2026-10-14 21:00`` (UTC), or ``undated``."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "undated"


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def headline(article: Article) -> str:
    parts = [article.source or "unknown source"]
    if article.published is not None:
        parts.append(article.published.strftime("%Y-%m-%d %H:%M"))
    if article.author:
        parts.append(article.author)
    return " · ".join(parts)


def summary_text(summary: Summary, fmt: str, title: str | None = None) -> str:
    if fmt == "markdown":
        lines = [f"## {title}", ""] if title else []
        lines += [f"- {s.text} [{s.index}]" for s in summary.sentences]
        return "\n".join(lines)
    return "\n".join(s.text for s in summary.sentences)


SNIPPET_INDENT = " " * 8  # under the title, past the id column


def wrap_snippet(parts: Sequence[tuple[str, bool]], width: int | None) -> str:
    """The search snippet, its matches in bold, wrapped to ``width`` under the title line
    (one line when piped). Words are wrapped by their plain length, so styling never
    counts toward the width nor splits a word."""
    words: list[list[tuple[str, bool]]] = [[]]  # each word: its (text, hot) pieces
    for text, hot in parts:
        for i, piece in enumerate(re.split(r"\s+", text)):
            if i:
                words.append([])
            if piece:
                words[-1].append((piece, hot))
    room = width - len(SNIPPET_INDENT) if width and width > 40 else None
    lines: list[str] = []
    line, used = "", 0
    for word in filter(None, words):
        size = sum(len(t) for t, _ in word)
        styled = "".join(click.style(t, bold=True) if hot else t for t, hot in word)
        if line and room is not None and used + 1 + size > room:
            lines.append(line)
            line, used = "", 0
        line, used = (f"{line} {styled}", used + 1 + size) if line else (styled, size)
    lines.append(line)
    return "\n".join(SNIPPET_INDENT + text for text in lines)
