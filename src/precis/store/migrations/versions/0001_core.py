"""Core tables: articles and the summary cache.

Revision ID: 0001_core
Revises:
"""

import sqlalchemy as sa
from alembic import op

from precis.store.schema import UTCDateTime

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("url", sa.Text),
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
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("content_hash", name="uq_articles_content_hash"),
        sa.UniqueConstraint("url", name="uq_articles_url"),
    )
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_index("ix_articles_source_published", "articles", ["source", "published"])
    op.create_table(
        "summaries",
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("length_key", sa.String(32), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "method", "length_key", name="pk_summaries"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_summaries_article_id_articles",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("summaries")
    op.drop_index("ix_articles_source_published", "articles")
    op.drop_index("ix_articles_published", "articles")
    op.drop_table("articles")
