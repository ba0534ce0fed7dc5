"""Entities, mentions and statements in the store (tables from ``store/schema.py``).

Functions over a ``Store`` rather than methods on it, so ``store/db.py`` stays as it is.
Every query result is a JSON-able dict: the CLI prints them and the web layer can return
them as they are. Story counts and story filters go through ``story_articles``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.entities import canonical
from precis.entities.model import ENTITY_TYPES, Analysis, EntityType
from precis.errors import NotFound, PrecisError
from precis.models import iso
from precis.store.db import Store
from precis.store.schema import (
    articles,
    entities,
    entity_analyses,
    mentions,
    statements,
    stories,
    story_articles,
)


class EntityNotFound(NotFound):
    def __init__(self, name: str) -> None:
        PrecisError.__init__(
            self, f"no entity named {name!r}; run 'precis entities' to see the known names"
        )
        self.kind = "entity"
        self.key = name


def save_analysis(
    store: Store, article_id: int, content_hash: str, model: str, analysis: Analysis
) -> None:
    """Replace the article's mentions and statements with ``analysis`` (one transaction)."""
    with store.engine.begin() as conn:
        conn.execute(sa.delete(mentions).where(mentions.c.article_id == article_id))
        conn.execute(sa.delete(statements).where(statements.c.article_id == article_id))
        ids = _entity_ids(store, conn, analysis)
        mention_rows = [
            {
                "article_id": article_id,
                "entity_id": ids[(m.type, m.name)],
                "start_char": m.start,
                "end_char": m.end,
                "surface": m.surface,
            }
            for m in analysis.mentions
        ]
        if mention_rows:
            conn.execute(sa.insert(mentions), mention_rows)
        statement_rows = [
            {
                "article_id": article_id,
                "speaker": s.speaker,
                "speaker_entity_id": ids.get((s.speaker_type, s.speaker or ""))
                if s.speaker_type
                else None,
                "cue": s.cue,
                "text": s.text,
                "start_char": s.start,
                "end_char": s.end,
                "direct": s.direct,
            }
            for s in analysis.statements
        ]
        if statement_rows:
            conn.execute(sa.insert(statements), statement_rows)
        _fold_surnames(conn, {name for kind, name in ids if kind == "person" and " " in name})
        _mark_analysed(store, conn, article_id, content_hash, model)


def _fold_surnames(conn: Connection, full_names: set[str]) -> None:
    """A bare surname stored before its full name came to dominate it ("Biden" from an
    article analysed before any "Joe Biden") joins that full name once it does: its
    mentions and statements move to the full name's entity, so the order articles are
    analysed in does not keep one person apart. Run after the mentions of
    ``full_names`` are in, in the same transaction."""
    for surname in sorted({name.split(" ")[-1] for name in full_names}):
        bare = conn.execute(
            sa.select(entities.c.id).where(entities.c.type == "person", entities.c.name == surname)
        ).scalar_one_or_none()
        if bare is None:
            continue
        target = _cross_article_name(conn, "person", surname)
        if target == surname:
            continue
        into = conn.execute(
            sa.select(entities.c.id).where(entities.c.type == "person", entities.c.name == target)
        ).scalar_one()
        conn.execute(sa.update(mentions).where(mentions.c.entity_id == bare).values(entity_id=into))
        conn.execute(
            sa.update(statements)
            .where(statements.c.speaker_entity_id == bare)
            .values(speaker_entity_id=into)
        )
        conn.execute(sa.delete(entities).where(entities.c.id == bare))


def _entity_ids(store: Store, conn: Connection, analysis: Analysis) -> dict[tuple[Any, str], int]:
    """Entity ids by (type, article name); a bare surname joins a stored full name."""
    wanted = {(m.type, m.name) for m in analysis.mentions}
    ids: dict[tuple[Any, str], int] = {}
    for kind, name in sorted(wanted):
        stored_name = _cross_article_name(conn, kind, name)
        conn.execute(
            store._insert(entities).values(name=stored_name, type=kind).on_conflict_do_nothing()
        )
        ids[(kind, name)] = conn.execute(
            sa.select(entities.c.id).where(entities.c.type == kind, entities.c.name == stored_name)
        ).scalar_one()
    return ids


def _cross_article_name(conn: Connection, kind: EntityType, name: str) -> str:
    """A bare surname joins the stored full name that dominates it; a full name with a
    middle name or initial joins the stored first-and-last spelling."""
    if kind != "person":
        return name
    words = name.split(" ")
    if len(words) >= 3:
        pattern = f"{_escape(words[0])} %{_escape(words[-1])}"
        known = conn.execute(
            sa.select(entities.c.name).where(
                entities.c.type == "person", entities.c.name.like(pattern, escape="\\")
            )
        ).scalars()
        return canonical.link_variant(name, kind, list(known))
    if len(words) > 1:
        return name
    counts = (
        sa.select(entities.c.name, sa.func.count(mentions.c.id).label("n"))
        .select_from(entities.outerjoin(mentions, mentions.c.entity_id == entities.c.id))
        .where(entities.c.type == "person", entities.c.name.like(f"% {_escape(name)}", escape="\\"))
        .group_by(entities.c.id, entities.c.name)
    )
    mentioned = {row.name: int(row.n) for row in conn.execute(counts)}
    return canonical.link_surname(name, kind, mentioned)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _mark_analysed(
    store: Store, conn: Connection, article_id: int, content_hash: str, model: str
) -> None:
    values = {
        "article_id": article_id,
        "content_hash": content_hash,
        "model": model,
        "analysed_at": datetime.now(UTC),
    }
    conn.execute(
        store._insert(entity_analyses)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["article_id"],
            set_={k: v for k, v in values.items() if k != "article_id"},
        )
    )


# Built once: the article page asks this on every view, and building the statement cost
# more than running it.
_ANALYSED = (
    sa.select(entity_analyses.c.article_id)
    .join(
        articles,
        sa.and_(
            articles.c.id == entity_analyses.c.article_id,
            articles.c.content_hash == entity_analyses.c.content_hash,
        ),
    )
    .where(
        entity_analyses.c.article_id == sa.bindparam("article_id"),
        entity_analyses.c.model == sa.bindparam("model"),
    )
)


def analysed(store: Store, model: str, article_id: int) -> bool:
    """Whether the article's current text has been analysed with ``model``
    (``pending`` for one article, the other way round)."""
    with store.engine.connect() as conn:
        row = conn.execute(_ANALYSED, {"article_id": article_id, "model": model}).first()
    return row is not None


def pending(store: Store, model: str, ids: Sequence[int] | None = None) -> list[int]:
    """Articles never analysed, changed since, or analysed with another model."""
    joined = articles.outerjoin(entity_analyses, entity_analyses.c.article_id == articles.c.id)
    query = (
        sa.select(articles.c.id)
        .select_from(joined)
        .where(
            sa.or_(
                entity_analyses.c.article_id.is_(None),
                entity_analyses.c.content_hash != articles.c.content_hash,
                entity_analyses.c.model != model,
            )
        )
        .order_by(articles.c.id)
    )
    if ids is not None:
        query = query.where(articles.c.id.in_(list(ids)))
    with store.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def top_entities(
    store: Store, kind: EntityType | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Most mentioned entities with mention, article and story counts."""
    with store.engine.connect() as conn:
        columns: list[Any] = [
            entities.c.name,
            entities.c.type,
            sa.func.count(mentions.c.id).label("mentions"),
            sa.func.count(sa.distinct(mentions.c.article_id)).label("articles"),
            sa.func.count(sa.distinct(story_articles.c.story_id)).label("stories"),
        ]
        source = entities.join(mentions, mentions.c.entity_id == entities.c.id).outerjoin(
            story_articles, story_articles.c.article_id == mentions.c.article_id
        )
        query = (
            sa.select(*columns)
            .select_from(source)
            .group_by(entities.c.id, entities.c.name, entities.c.type)
            .order_by(sa.desc("mentions"), entities.c.name)
            .limit(limit)
            .offset(offset)
        )
        if kind is not None:
            query = query.where(entities.c.type == kind)
        return [dict(row._mapping) for row in conn.execute(query)]


def count_entities(store: Store, kind: EntityType | None = None) -> int:
    """How many entities (of ``kind``) have a mention: the length of ``top_entities``'
    whole list."""
    query = sa.select(sa.func.count(sa.distinct(mentions.c.entity_id))).select_from(
        mentions.join(entities, entities.c.id == mentions.c.entity_id)
    )
    if kind is not None:
        query = query.where(entities.c.type == kind)
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def find_entity(store: Store, name: str) -> dict[str, Any]:
    """The entity called ``name`` (any case), else the one person whose surname it is."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(entities).where(sa.func.lower(entities.c.name) == name.lower())
        ).all()
        if not rows:
            rows = conn.execute(
                sa.select(entities).where(
                    sa.func.lower(entities.c.name).like(f"% {_escape(name.lower())}", escape="\\")
                )
            ).all()
    if len(rows) != 1:
        rows = [r for r in rows if r.type == "person"] if rows else rows
    if not rows:
        raise EntityNotFound(name)
    return dict(rows[0]._mapping)


def entity_detail(store: Store, name: str) -> dict[str, Any]:
    """An entity's articles, statements by it, and statements mentioning it, oldest first."""
    entity = find_entity(store, name)
    with store.engine.connect() as conn:
        article_rows = conn.execute(
            sa.select(
                articles.c.id,
                articles.c.title,
                articles.c.source,
                articles.c.published,
                sa.func.count(mentions.c.id).label("mentions"),
            )
            .select_from(articles.join(mentions, mentions.c.article_id == articles.c.id))
            .where(mentions.c.entity_id == entity["id"])
            .group_by(articles.c.id, articles.c.title, articles.c.source, articles.c.published)
            .order_by(articles.c.published, articles.c.id)
        ).all()
        by = _statement_query(conn, statements.c.speaker_entity_id == entity["id"])
        about_ids = (
            sa.select(statements.c.id)
            .select_from(
                statements.join(mentions, mentions.c.article_id == statements.c.article_id)
            )
            .where(
                mentions.c.entity_id == entity["id"],
                mentions.c.start_char >= statements.c.start_char,
                mentions.c.end_char <= statements.c.end_char,
            )
        )
        about = _statement_query(conn, statements.c.id.in_(about_ids))
    return {
        "name": entity["name"],
        "type": entity["type"],
        "articles": [
            {
                "id": r.id,
                "title": r.title,
                "source": r.source,
                "published": iso(r.published),
                "mentions": r.mentions,
            }
            for r in article_rows
        ],
        "statements_by": by,
        "statements_about": about,
    }


def list_statements(
    store: Store,
    *,
    speaker: str | None = None,
    story: int | None = None,
    article: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Statements, oldest article first, filtered by speaker (entity or words), story or article."""
    clauses: list[Any] = []
    if speaker is not None:
        try:
            entity_id = find_entity(store, speaker)["id"]
            clauses.append(statements.c.speaker_entity_id == entity_id)
        except EntityNotFound:
            clauses.append(sa.func.lower(statements.c.speaker) == speaker.lower())
    if article is not None:
        clauses.append(statements.c.article_id == article)
    with store.engine.connect() as conn:
        if story is not None:
            if conn.execute(sa.select(stories.c.id).where(stories.c.id == story)).first() is None:
                raise NotFound("story", story)
            members = sa.select(story_articles.c.article_id).where(
                story_articles.c.story_id == story
            )
            clauses.append(statements.c.article_id.in_(members))
        return _statement_query(conn, sa.and_(sa.true(), *clauses), limit)


def _statement_query(conn: Connection, where: Any, limit: int = 1000) -> list[dict[str, Any]]:
    query = (
        sa.select(
            statements,
            articles.c.title,
            articles.c.source,
            articles.c.published,
            entities.c.name.label("speaker_name"),
        )
        .select_from(
            statements.join(articles, articles.c.id == statements.c.article_id).outerjoin(
                entities, entities.c.id == statements.c.speaker_entity_id
            )
        )
        .where(where)
        .order_by(articles.c.published, statements.c.article_id, statements.c.start_char)
        .limit(limit)
    )
    return [_statement_json(row) for row in conn.execute(query)]


def _statement_json(row: Any) -> dict[str, Any]:
    return {
        "article_id": row.article_id,
        "title": row.title,
        "source": row.source,
        "published": iso(row.published),
        "speaker": row.speaker_name or row.speaker,
        "speaker_entity": row.speaker_name,  # None: the speaker is not a known entity
        "cue": row.cue,
        "text": row.text,
        "start": row.start_char,
        "end": row.end_char,
        "direct": bool(row.direct),
    }


def article_panel(store: Store, article_id: int) -> dict[str, Any]:
    """For a "who said what" panel on an article page: its entities and statements."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(entities.c.name, entities.c.type, mentions.c.start_char, mentions.c.end_char)
            .select_from(mentions.join(entities, entities.c.id == mentions.c.entity_id))
            .where(mentions.c.article_id == article_id)
            .order_by(mentions.c.start_char)
        ).all()
    grouped: dict[tuple[str, str], list[list[int]]] = {}
    for row in rows:
        grouped.setdefault((row.name, row.type), []).append([row.start_char, row.end_char])
    return {
        "article_id": article_id,
        "entities": [
            {"name": name, "type": kind, "mentions": spans}
            for (name, kind), spans in sorted(grouped.items(), key=lambda item: -len(item[1]))
        ],
        "statements": list_statements(store, article=article_id, limit=10_000),
    }


def shared_statements(store: Store, article_ids: Sequence[int]) -> list[dict[str, Any]]:
    """For a story page: statements carried by two or more of ``article_ids``, each with
    every outlet's wording and whether it was verbatim, trimmed or paraphrased."""
    from precis.entities.carried import group_statements
    from precis.entities.model import Statement

    if not article_ids:
        return []
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(statements, articles.c.source, entities.c.name, entities.c.type)
            .select_from(
                statements.join(articles, articles.c.id == statements.c.article_id).outerjoin(
                    entities, entities.c.id == statements.c.speaker_entity_id
                )
            )
            .where(statements.c.article_id.in_(list(article_ids)))
            .order_by(articles.c.published, statements.c.article_id, statements.c.start_char)
        ).all()
    items = [
        (
            row.article_id,
            row.source,
            Statement(
                row.name or row.speaker,
                row.type,
                row.cue,
                row.text,
                row.start_char,
                row.end_char,
                bool(row.direct),
            ),
        )
        for row in rows
    ]
    return [group.as_json() for group in group_statements(items)]


__all__ = [
    "ENTITY_TYPES",
    "EntityNotFound",
    "analysed",
    "article_panel",
    "count_entities",
    "entity_detail",
    "find_entity",
    "list_statements",
    "pending",
    "save_analysis",
    "shared_statements",
    "top_entities",
]
