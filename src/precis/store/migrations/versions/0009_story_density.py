"""Keep each story member's best partners and the store's density totals, for the local
scaling of pair scores (``precis.cluster.density``): ``story_articles.partners`` holds an
original article's ``density.RANK`` best pair scores by partner id, ``story_totals`` the
sum and count of the members' densities.

Rows filed before this revision have no partners (NULL) and count as having the mean
density; ``precis story reindex`` keeps the partners rows have and records none. (Imports
and batch loads file the partners their input carries.)

Revision ID: 0009_story_density
Revises: 0008_story_keys
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_story_density"
down_revision = "0008_story_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("story_articles", sa.Column("partners", sa.JSON, nullable=True))
    op.create_table(
        "story_totals",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("total", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("story_totals")
    with op.batch_alter_table("story_articles") as batch:
        batch.drop_column("partners")
