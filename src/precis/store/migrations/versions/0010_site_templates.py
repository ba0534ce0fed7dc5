"""Keep each article's paragraph fingerprints under its site, so that paragraphs a site
repeats around its articles are recognised as its template (``precis.text.templates``).

Articles stored before this revision have no rows; ``precis reextract`` files them.

Revision ID: 0010_site_templates
Revises: 0009_story_density
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_site_templates"
down_revision = "0009_story_density"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_paragraphs",
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
    )
    op.create_index("ix_site_paragraphs_article_id", "site_paragraphs", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_site_paragraphs_article_id", "site_paragraphs")
    op.drop_table("site_paragraphs")
