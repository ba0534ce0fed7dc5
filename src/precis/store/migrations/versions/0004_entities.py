"""Entities, their mentions, attributed statements, and which articles were analysed.

Revision ID: 0004_entities
Revises: 0003_search
"""

import sqlalchemy as sa
from alembic import op

from precis.store.schema import UTCDateTime

revision = "0004_entities"
down_revision = "0003_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entities"),
        sa.UniqueConstraint("type", "name", name="uq_entities_type_name"),
    )
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("entity_id", sa.Integer, nullable=False),
        sa.Column("start_char", sa.Integer, nullable=False),
        sa.Column("end_char", sa.Integer, nullable=False),
        sa.Column("surface", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mentions"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_mentions_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name="fk_mentions_entity_id_entities",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_mentions_entity_id", "mentions", ["entity_id"])
    op.create_index("ix_mentions_article_id", "mentions", ["article_id"])
    op.create_table(
        "statements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("speaker", sa.Text),
        sa.Column("speaker_entity_id", sa.Integer),
        sa.Column("cue", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("start_char", sa.Integer, nullable=False),
        sa.Column("end_char", sa.Integer, nullable=False),
        sa.Column("direct", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statements"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_statements_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_entity_id"],
            ["entities.id"],
            name="fk_statements_speaker_entity_id_entities",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_statements_article_id", "statements", ["article_id"])
    op.create_index("ix_statements_speaker_entity_id", "statements", ["speaker_entity_id"])
    op.create_table(
        "entity_analyses",
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("analysed_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_entity_analyses"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_entity_analyses_article_id_articles",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("entity_analyses")
    op.drop_index("ix_statements_speaker_entity_id", "statements")
    op.drop_index("ix_statements_article_id", "statements")
    op.drop_table("statements")
    op.drop_index("ix_mentions_article_id", "mentions")
    op.drop_index("ix_mentions_entity_id", "mentions")
    op.drop_table("mentions")
    op.drop_table("entities")
