"""Export/import record types beyond articles and summaries: stories, feeds, entities.

Every record names articles by ``content_hash``, feeds by URL and entities by
``(type, name)``, never by database id, so an import into a database with other ids stays
consistent. Each loader skips what is already there, so re-importing is a no-op:

- ``story``: one record per story with its members (``content_hash``, ``duplicate_of`` as a
  content hash, ``pinned``, ``score``, ``explanation``, ``partners``: an original's best
  pair scores by content hash, from which the target knows its density) and
  ``corrected``, so user corrections survive the move. Members already in a story are
  skipped.
- ``feed`` (keyed by URL) and ``feed_entry`` (feed URL + entry key; its article by hash).
- ``entity`` (``kind``, ``name``) and ``entity_analysis``: one record per analysed article with
  its mentions and attributed statements, so an article's analysis moves as one unit (an
  article already analysed in the target keeps its own).

Not exported, because they are derived and rebuilt on import: the story index
(``story_postings``, ``story_df``, ``story_lsh`` and each member's weights and key counts; the story
loader re-files the imported originals, and ``StoryLoader.rebuild_index`` recomputes the
whole index) and the full-text search index (kept by the database's own triggers).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.cluster.assign import Params
from precis.store.db import Store
from precis.store.schema import (
    articles,
    entities,
    entity_analyses,
    feed_entries,
    feeds,
    mentions,
    statements,
    stories,
    story_articles,
)
from precis.store.storyindex import CHUNK

Row = dict[str, Any]

# Story records whose members' partners are looked up together (bounded memory).
STORIES_PER_LOOKUP = 500

FEED_COLUMNS = tuple(c.name for c in feeds.columns if c.name != "id")
FEED_ENTRY_COLUMNS = ("entry_key", "status", "attempts", "error", "seen_at")
DATETIME_COLUMNS = frozenset(
    {"updated_at", "next_due_at", "last_fetched_at", "last_success_at", "seen_at", "analysed_at"}
)


# -- stories -------------------------------------------------------------------------------
def export_stories(conn: Connection) -> Iterator[Row]:
    original = articles.alias("original")
    query = (
        sa.select(
            stories.c.id,
            stories.c.created_at,
            stories.c.updated_at,
            stories.c.corrected,
            articles.c.content_hash,
            original.c.content_hash.label("duplicate_of"),
            story_articles.c.pinned,
            story_articles.c.score,
            story_articles.c.explanation,
            story_articles.c.partners,
        )
        .join(story_articles, story_articles.c.story_id == stories.c.id)
        .join(articles, articles.c.id == story_articles.c.article_id)
        .outerjoin(original, original.c.id == story_articles.c.duplicate_of)
        .order_by(stories.c.id, articles.c.id)
    )
    current: Row | None = None
    pending: list[Row] = []
    for row in conn.execute(query):
        if current is None or current["id"] != row.id:
            if current is not None:
                pending.append(current)
                if len(pending) >= STORIES_PER_LOOKUP:
                    yield from _with_partner_hashes(conn, pending)
                    pending = []
            current = {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "corrected": bool(row.corrected),
                "members": [],
            }
        current["members"].append(
            {
                "content_hash": row.content_hash,
                "duplicate_of": row.duplicate_of,
                "pinned": bool(row.pinned),
                "score": row.score,
                "explanation": row.explanation,
                "partners": row.partners,
            }
        )
    if current is not None:
        pending.append(current)
    yield from _with_partner_hashes(conn, pending)


def _with_partner_hashes(conn: Connection, records: list[Row]) -> Iterator[Row]:
    """The story records with each member's partners named by content hash instead of
    article id (one lookup for all of them); a member whose partner is gone keeps none."""
    ids = sorted({int(i) for r in records for m in r["members"] for i in m["partners"] or ()})
    hashes: dict[str, str] = {}
    for start in range(0, len(ids), CHUNK):
        rows = conn.execute(
            sa.select(articles.c.id, articles.c.content_hash).where(
                articles.c.id.in_(ids[start : start + CHUNK])
            )
        )
        hashes.update((str(r.id), r.content_hash) for r in rows)
    for record in records:
        for member in record["members"]:
            by_id = member["partners"]
            member["partners"] = (
                None
                if by_id is None or any(i not in hashes for i in by_id)
                else {hashes[i]: score for i, score in by_id.items()}
            )
        yield {k: v for k, v in record.items() if k != "id"}


def load_stories(store: Store, conn: Connection, rows: Sequence[Row], params: Params) -> int:
    from precis.store.storyload import StoryLoader, StoryRecord

    records = [
        StoryRecord(
            row["members"], bool(row.get("corrected")), row.get("created_at"), row.get("updated_at")
        )
        for row in rows
    ]
    return StoryLoader(store, params).insert_records(records, conn)


# -- feeds ---------------------------------------------------------------------------------
def export_feeds(conn: Connection) -> Iterator[Row]:
    query = sa.select(*(feeds.c[name] for name in FEED_COLUMNS)).order_by(feeds.c.id)
    for row in conn.execute(query).mappings():
        yield dict(row)


def load_feeds(store: Store, conn: Connection, rows: Sequence[Row], params: Params) -> int:
    values = [{name: row.get(name) for name in FEED_COLUMNS} for row in rows]
    statement = store._insert(feeds).on_conflict_do_nothing().returning(feeds.c.id)
    return len(conn.execute(statement, values).all())


def export_feed_entries(conn: Connection) -> Iterator[Row]:
    query = (
        sa.select(
            feeds.c.url.label("feed"),
            articles.c.content_hash.label("article"),
            *(feed_entries.c[name] for name in FEED_ENTRY_COLUMNS),
        )
        .join(feeds, feeds.c.id == feed_entries.c.feed_id)
        .outerjoin(articles, articles.c.id == feed_entries.c.article_id)
        .order_by(feeds.c.id, feed_entries.c.entry_key)
    )
    for row in conn.execute(query).mappings():
        yield dict(row)


def load_feed_entries(store: Store, conn: Connection, rows: Sequence[Row], params: Params) -> int:
    feed_ids = dict(
        conn.execute(
            sa.select(feeds.c.url, feeds.c.id).where(feeds.c.url.in_({r["feed"] for r in rows}))
        ).all()
    )
    article_ids = _article_ids(conn, {r["article"] for r in rows if r.get("article")})
    values = [
        {
            "feed_id": feed_ids[row["feed"]],
            "article_id": article_ids.get(row.get("article") or ""),
            **{name: row.get(name) for name in FEED_ENTRY_COLUMNS},
        }
        for row in rows
        if row["feed"] in feed_ids
    ]
    if not values:
        return 0
    statement = store._insert(feed_entries).on_conflict_do_nothing()
    return len(conn.execute(statement.returning(feed_entries.c.feed_id), values).all())


def _article_ids(conn: Connection, hashes: set[str]) -> dict[str, int]:
    if not hashes:
        return {}
    return dict(
        conn.execute(
            sa.select(articles.c.content_hash, articles.c.id).where(
                articles.c.content_hash.in_(hashes)
            )
        ).all()
    )


# -- entities ------------------------------------------------------------------------------
def export_entities(conn: Connection) -> Iterator[Row]:
    query = sa.select(entities.c.type, entities.c.name).order_by(entities.c.id)
    for row in conn.execute(query):  # "kind": a record's "type" is its record type
        yield {"kind": row.type, "name": row.name}


def load_entities(store: Store, conn: Connection, rows: Sequence[Row], params: Params) -> int:
    values = [{"type": r["kind"], "name": r["name"]} for r in rows]
    statement = store._insert(entities).on_conflict_do_nothing().returning(entities.c.id)
    return len(conn.execute(statement, values).all())


def export_analyses(conn: Connection) -> Iterator[Row]:
    query = (
        sa.select(
            entity_analyses.c.article_id,
            articles.c.content_hash.label("article"),
            entity_analyses.c.content_hash.label("analysed_hash"),
            entity_analyses.c.model,
            entity_analyses.c.analysed_at,
        )
        .join(articles, articles.c.id == entity_analyses.c.article_id)
        .order_by(entity_analyses.c.article_id)
    )
    for analysis in conn.execute(query).mappings().all():
        row = dict(analysis)
        article_id = row.pop("article_id")
        row["mentions"] = [
            {"type": m.type, "name": m.name, "start": m.start_char, "end": m.end_char,
             "surface": m.surface}
            for m in conn.execute(
                sa.select(entities.c.type, entities.c.name, mentions.c.start_char,
                          mentions.c.end_char, mentions.c.surface)
                .join(entities, entities.c.id == mentions.c.entity_id)
                .where(mentions.c.article_id == article_id)
                .order_by(mentions.c.id)
            )
        ]  # fmt: skip
        speaker = entities.alias("speaker")
        row["statements"] = [
            {"speaker": s.speaker, "speaker_entity": [s.type, s.name] if s.name else None,
             "cue": s.cue, "text": s.text, "start": s.start_char, "end": s.end_char,
             "direct": bool(s.direct)}
            for s in conn.execute(
                sa.select(statements, speaker.c.type, speaker.c.name)
                .outerjoin(speaker, speaker.c.id == statements.c.speaker_entity_id)
                .where(statements.c.article_id == article_id)
                .order_by(statements.c.id)
            )
        ]  # fmt: skip
        yield row


def load_analyses(store: Store, conn: Connection, rows: Sequence[Row], params: Params) -> int:
    article_ids = _article_ids(conn, {r["article"] for r in rows})
    done = set(
        conn.execute(
            sa.select(entity_analyses.c.article_id).where(
                entity_analyses.c.article_id.in_(list(article_ids.values()))
            )
        ).scalars()
    )
    wanted = {
        (m["type"], m["name"]) for r in rows for m in r.get("mentions", [])
    } | {tuple(s["speaker_entity"]) for r in rows for s in r.get("statements", []) if s.get("speaker_entity")}  # fmt: skip
    entity_ids = _entity_ids(conn, wanted)
    inserted = 0
    for row in rows:
        article_id = article_ids.get(row["article"])
        if article_id is None or article_id in done:
            continue
        done.add(article_id)
        conn.execute(
            sa.insert(entity_analyses).values(
                article_id=article_id,
                content_hash=row["analysed_hash"],
                model=row["model"],
                analysed_at=row["analysed_at"],
            )
        )
        found = [
            {"article_id": article_id, "entity_id": entity_ids[(m["type"], m["name"])],
             "start_char": m["start"], "end_char": m["end"], "surface": m["surface"]}
            for m in row.get("mentions", []) if (m["type"], m["name"]) in entity_ids
        ]  # fmt: skip
        if found:
            conn.execute(sa.insert(mentions), found)
        said = [
            {"article_id": article_id, "speaker": s["speaker"], "cue": s["cue"],
             "speaker_entity_id": entity_ids.get(tuple(s["speaker_entity"]))
             if s.get("speaker_entity") else None,
             "text": s["text"], "start_char": s["start"], "end_char": s["end"],
             "direct": s["direct"]}
            for s in row.get("statements", [])
        ]  # fmt: skip
        if said:
            conn.execute(sa.insert(statements), said)
        inserted += 1
    return inserted


def _entity_ids(conn: Connection, wanted: set[Any]) -> dict[tuple[str, str], int]:
    ids: dict[tuple[str, str], int] = {}
    names = sorted({name for _, name in wanted})
    for start in range(0, len(names), 400):
        query = sa.select(entities.c.id, entities.c.type, entities.c.name).where(
            entities.c.name.in_(names[start : start + 400])
        )
        for row in conn.execute(query):
            if (row.type, row.name) in wanted:
                ids[(row.type, row.name)] = int(row.id)
    return ids
