"""Articles keep their sentence spans (derived from the text; NULL until computed).

Revision ID: 0006_sentences
Revises: 0005_stories
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_sentences"
down_revision = "0005_stories"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("sentences", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("sentences")
