"""Stories: story membership, near-duplicate links, the candidate index and LSH buckets.

Revision ID: 0005_stories
Revises: 0004_entities
"""

import sqlalchemy as sa
from alembic import op

from precis.store.schema import UTCDateTime

revision = "0005_stories"
down_revision = "0004_entities"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("corrected", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
    )
    op.create_table(
        "story_articles",
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("duplicate_of", sa.Integer),
        sa.Column("pinned", sa.Boolean, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("weights", sa.JSON, nullable=False),
        sa.Column("published", UTCDateTime),
        sa.PrimaryKeyConstraint("article_id", name="pk_story_articles"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_story_articles_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name="fk_story_articles_story_id_stories",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_story_articles_story_id", "story_articles", ["story_id"])
    op.create_table(
        "story_postings",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", "article_id", name="pk_story_postings"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_story_postings_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_story_postings_article_id", "story_postings", ["article_id"])
    op.create_table(
        "story_df",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("df", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_story_df"),
    )
    op.create_table(
        "story_lsh",
        sa.Column("bucket", sa.String(40), nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("bucket", "article_id", name="pk_story_lsh"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_story_lsh_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_story_lsh_article_id", "story_lsh", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_story_lsh_article_id", "story_lsh")
    op.drop_table("story_lsh")
    op.drop_table("story_df")
    op.drop_index("ix_story_postings_article_id", "story_postings")
    op.drop_table("story_postings")
    op.drop_index("ix_story_articles_story_id", "story_articles")
    op.drop_table("story_articles")
    op.drop_table("stories")
