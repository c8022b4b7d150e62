"""item tags

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

Each item's category and risk flags, and the terms that decided its category.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "item_tags",
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("category_terms", JSON_DOC, nullable=False),
        sa.Column("flags", JSON_DOC, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_item_tags_item_id_item"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_tags")),
    )
    op.create_index("ix_item_tags_category", "item_tags", ["category"])


def downgrade() -> None:
    op.drop_index("ix_item_tags_category", table_name="item_tags")
    op.drop_table("item_tags")
