"""monitoring schemes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Monitoring schemes (监测方案) and the items that match them, with the terms found and a
monitor's relevant/irrelevant verdict.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "scheme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("subject_terms", JSON_DOC, nullable=False),
        sa.Column("region_terms", JSON_DOC, nullable=False),
        sa.Column("event_terms", JSON_DOC, nullable=False),
        sa.Column("exclude_terms", JSON_DOC, nullable=False),
        sa.Column("expression", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheme")),
        sa.UniqueConstraint("name", name=op.f("uq_scheme_name")),
    )
    op.create_table(
        "item_match",
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("terms", JSON_DOC, nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=True),
        sa.Column("judged_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_item_match_item_id_item"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["scheme.id"],
            name=op.f("fk_item_match_scheme_id_scheme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "scheme_id", name=op.f("pk_item_match")),
    )
    op.create_index("ix_item_match_scheme_item", "item_match", ["scheme_id", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_item_match_scheme_item", table_name="item_match")
    op.drop_table("item_match")
    op.drop_table("scheme")
