"""Index story members by the article they copy: moving an article to another story
moves its copies too (re-grouping at assignment, corrections), which scanned the whole
table without it.

Revision ID: 0007_copy_index
Revises: 0006_sentences
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_copy_index"
down_revision = "0006_sentences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Partial, so that "duplicate_of IS NULL" queries keep using the story index.
    copies = sa.text("duplicate_of IS NOT NULL")
    op.create_index(
        "ix_story_articles_duplicate_of",
        "story_articles",
        ["duplicate_of"],
        sqlite_where=copies,
        postgresql_where=copies,
    )


def downgrade() -> None:
    op.drop_index("ix_story_articles_duplicate_of", "story_articles")
