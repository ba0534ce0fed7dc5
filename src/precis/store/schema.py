"""Tables, in SQLAlchemy Core. The Alembic migrations create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; attach a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        parsed: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("url", sa.Text, unique=True),
    sa.Column("external_id", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("published", UTCDateTime),
    sa.Column("ingested_at", UTCDateTime, nullable=False),
    sa.Column("word_count", sa.Integer, nullable=False),
    sa.Column("raw", sa.Text),
    sa.Column("raw_type", sa.String(8)),
    sa.Column("origin", sa.Text),
    # The text's sentence spans as the splitter found them (precis.text.sentences.encode),
    # written with the text so that reading an article never re-splits it; NULL (rows
    # loaded in bulk) or another splitter version means: split when read.
    sa.Column("sentences", sa.Text),
    sa.Index("ix_articles_published", "published"),
    sa.Index("ix_articles_source_published", "source", "published"),
)

summaries = sa.Table(
    "summaries",
    metadata,
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("method", sa.String(32), primary_key=True),
    sa.Column("length_key", sa.String(32), primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

feeds = sa.Table(
    "feeds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("interval_seconds", sa.Integer, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("site_url", sa.Text),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("next_due_at", UTCDateTime, nullable=False),
    sa.Column("last_fetched_at", UTCDateTime),
    sa.Column("last_success_at", UTCDateTime),
    sa.Column("last_status", sa.String(16)),
    sa.Column("last_error", sa.Text),
    sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("articles_added", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_feeds_next_due_at", "next_due_at"),
)

feed_entries = sa.Table(
    "feed_entries",
    metadata,
    sa.Column(
        "feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("entry_key", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("seen_at", UTCDateTime, nullable=False),
)

# -- entities and attributed statements (precis.entities) --------------------------------
entities = sa.Table(
    "entities",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.String(8), nullable=False),
    sa.UniqueConstraint("type", "name", name="uq_entities_type_name"),
)

mentions = sa.Table(
    "mentions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("start_char", sa.Integer, nullable=False),
    sa.Column("end_char", sa.Integer, nullable=False),
    sa.Column("surface", sa.Text, nullable=False),
    sa.Index("ix_mentions_entity_id", "entity_id"),
    sa.Index("ix_mentions_article_id", "article_id"),
)

statements = sa.Table(
    "statements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("speaker", sa.Text),
    sa.Column("speaker_entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.Column("cue", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("start_char", sa.Integer, nullable=False),
    sa.Column("end_char", sa.Integer, nullable=False),
    sa.Column("direct", sa.Boolean, nullable=False),
    sa.Index("ix_statements_article_id", "article_id"),
    sa.Index("ix_statements_speaker_entity_id", "speaker_entity_id"),
)

entity_analyses = sa.Table(
    "entity_analyses",
    metadata,
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("analysed_at", UTCDateTime, nullable=False),
)

# -- stories (migration 0005_stories) ---------------------------------------------------
stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("corrected", sa.Boolean, nullable=False, default=False),
)

story_articles = sa.Table(
    "story_articles",
    metadata,
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("duplicate_of", sa.Integer),
    sa.Column("pinned", sa.Boolean, nullable=False, default=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("explanation", sa.JSON, nullable=False),
    # An original's pair weights, computed when the store held ``weighed_docs`` original
    # articles, and its keys with raw counts (``precis.cluster.assign.article_keys``), from
    # which it is weighed again once the store has grown (``storyindex.STALE_GROWTH``).
    # Rows filed before migration 0008 have neither (NULL) until ``precis story reindex``.
    sa.Column("weights", sa.JSON, nullable=False),
    sa.Column("published", UTCDateTime),
    sa.Column("key_counts", sa.JSON),
    sa.Column("weighed_docs", sa.Integer),
    # An original's ``precis.cluster.density.RANK`` best pair scores by partner article id
    # (its density is the last of them); NULL for copies, for rows filed before 0009 and for
    # rows imported or loaded with a partner that is not stored.
    sa.Column("partners", sa.JSON),
    sa.Index("ix_story_articles_story_id", "story_id"),
    # The stalest weights first (``storyindex.DbIndex.stalest``), without a scan.
    sa.Index("ix_story_articles_weighed_docs", "weighed_docs"),
    # Copies follow their original when it moves (assignment, corrections). Partial: a
    # full index would tempt SQLite's planner to serve "duplicate_of IS NULL" (nearly
    # every row) from it instead of the story index.
    sa.Index(
        "ix_story_articles_duplicate_of",
        "duplicate_of",
        sqlite_where=sa.text("duplicate_of IS NOT NULL"),
        postgresql_where=sa.text("duplicate_of IS NOT NULL"),
    ),
)

story_postings = sa.Table(
    "story_postings",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Index("ix_story_postings_article_id", "article_id"),
)

# Running totals of the story index: the sum and count of the members' densities
# (``precis.store.storyindex.DENSITY_SUM``, ``DENSITY_COUNT``).
story_totals = sa.Table(
    "story_totals",
    metadata,
    sa.Column("key", sa.String(50), primary_key=True),
    sa.Column("total", sa.Float, nullable=False),
)
story_df = sa.Table(
    "story_df",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("df", sa.Integer, nullable=False),
)

story_lsh = sa.Table(
    "story_lsh",
    metadata,
    sa.Column("bucket", sa.String(40), primary_key=True),
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Index("ix_story_lsh_article_id", "article_id"),
)

# Each article's paragraph fingerprints under its site (``precis.text.templates``): how
# many articles of a site, with different titles, carry a paragraph is what makes it the
# site's template, which story assignment leaves out of what it compares.
site_paragraphs = sa.Table(
    "site_paragraphs",
    metadata,
    sa.Column("digest", sa.String(16), primary_key=True),  # first: looked up by digest
    sa.Column("site", sa.String(200), primary_key=True),
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # the article's title, folded and hashed: copies and versions of one article share a
    # title, so a paragraph is a template only when articles of different titles carry it
    sa.Column("title", sa.String(16), nullable=False),
    sa.Index("ix_site_paragraphs_article_id", "article_id"),
)
