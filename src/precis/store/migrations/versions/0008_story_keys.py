"""Keep each story member's raw keys (term counts, headline terms, entities, numbers) and
the number of articles its weights were computed with, so that assignment can weigh a
member again once the store has grown (``precis.store.storyindex``).

Rows filed before this revision have neither (NULL) and keep the weights they were
filed with until ``precis story reindex`` fills them in.

Revision ID: 0008_story_keys
Revises: 0007_copy_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_story_keys"
down_revision = "0007_copy_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("story_articles", sa.Column("key_counts", sa.JSON, nullable=True))
    op.add_column("story_articles", sa.Column("weighed_docs", sa.Integer, nullable=True))
    op.create_index("ix_story_articles_weighed_docs", "story_articles", ["weighed_docs"])


def downgrade() -> None:
    op.drop_index("ix_story_articles_weighed_docs", "story_articles")
    with op.batch_alter_table("story_articles") as batch:
        batch.drop_column("weighed_docs")
        batch.drop_column("key_counts")
