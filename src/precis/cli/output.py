"""Rendering records for the terminal and for JSON consumers."""

from __future__ import annotations

import json
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
