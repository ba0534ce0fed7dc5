"""Feed subscriptions and the entries already seen in each.

Revision ID: 0002_feeds
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from precis.store.schema import UTCDateTime

revision = "0002_feeds"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("url", name="uq_feeds_url"),
    )
    op.create_index("ix_feeds_next_due_at", "feeds", ["next_due_at"])
    op.create_table(
        "feed_entries",
        sa.Column("feed_id", sa.Integer, nullable=False),
        sa.Column("entry_key", sa.Text, nullable=False),
        sa.Column("article_id", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("seen_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("feed_id", "entry_key", name="pk_feed_entries"),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name="fk_feed_entries_feed_id_feeds", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_feed_entries_article_id_articles",
            ondelete="SET NULL",
        ),
    )


def downgrade() -> None:
    op.drop_table("feed_entries")
    op.drop_index("ix_feeds_next_due_at", "feeds")
    op.drop_table("feeds")
