"""taxonomy entries

The categories and risk flags with the terms the organisation edited in the console, and the
probability of a category the model gave where the rules found no term.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 06:13:13.120504
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("item_tags") as batch:
        batch.add_column(sa.Column("category_score", sa.Float(), nullable=True))
    op.create_table(
        "taxonomy_entry",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("terms", JSON_DOC, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("kind", "name", name=op.f("pk_taxonomy_entry")),
    )


def downgrade() -> None:
    with op.batch_alter_table("item_tags") as batch:
        batch.drop_column("category_score")
    op.drop_table("taxonomy_entry")
