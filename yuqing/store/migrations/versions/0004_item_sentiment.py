"""item sentiment

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Each item's sentiment as the model judged it, and people's corrections.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_sentiment",
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("emotion", sa.String(length=16), nullable=True),
        sa.Column("model_label", sa.String(length=16), nullable=False),
        sa.Column("corrected_by", sa.String(length=64), nullable=True),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
            name=op.f("fk_item_sentiment_item_id_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_sentiment")),
    )
    op.create_index("ix_item_sentiment_label", "item_sentiment", ["label"])


def downgrade() -> None:
    op.drop_index("ix_item_sentiment_label", table_name="item_sentiment")
    op.drop_table("item_sentiment")
