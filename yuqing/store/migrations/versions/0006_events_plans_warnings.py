"""events plans warnings

Plan versions, events with their members and 5-minute timeline, the stage cursor, warnings
and their steps; matches indexed by time for scheme volume surges.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 05:03:23.087006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_index("ix_item_match_matched_at", "item_match", ["matched_at"])
    op.create_table(
        "plan_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_version")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_plan_version_name_version")),
    )
    op.create_table(
        "stage_cursor",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "metric_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stage_cursor")),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "merged_into", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_edited", sa.Boolean(), nullable=False),
        sa.Column("keywords", JSON_DOC, nullable=False),
        sa.Column("keywords_edited", sa.Boolean(), nullable=False),
        sa.Column("representatives", JSON_DOC, nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("heat", sa.Float(), nullable=False),
        sa.Column("metrics", JSON_DOC, nullable=False),
        sa.Column("flags", JSON_DOC, nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("rule_level", sa.Integer(), nullable=True),
        sa.Column("reasons", JSON_DOC, nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=True),
        sa.Column("graded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("prediction", JSON_DOC, nullable=True),
        sa.Column("override_level", sa.Integer(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("override_by", sa.String(length=64), nullable=True),
        sa.Column("override_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["event.id"], name=op.f("fk_event_merged_into_event")
        ),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_version.id"],
            name=op.f("fk_event_plan_version_id_plan_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_drill_last", ["drill", "last_at"], unique=False)

    op.create_table(
        "event_bucket",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("metrics", JSON_DOC, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_bucket_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "start", name=op.f("pk_event_bucket")),
    )
    op.create_table(
        "event_item",
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_event_item_event_id_event")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_event_item_item_id_item"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_event_item")),
    )
    with op.batch_alter_table("event_item", schema=None) as batch_op:
        batch_op.create_index("ix_event_item_event", ["event_id", "item_id"], unique=False)

    op.create_table(
        "warning",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("predicted", sa.Boolean(), nullable=False),
        sa.Column("predicted_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reasons", JSON_DOC, nullable=False),
        sa.Column("measures", JSON_DOC, nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_warning_event_id_event")),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_version.id"],
            name=op.f("fk_warning_plan_version_id_plan_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning")),
    )
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warning_event_id"), ["event_id"], unique=False)
        batch_op.create_index("ix_warning_state_level", ["state", "level"], unique=False)

    op.create_table(
        "warning_step",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "warning_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("predicted", sa.Boolean(), nullable=False),
        sa.Column("reasons", JSON_DOC, nullable=False),
        sa.Column("measures", JSON_DOC, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["warning.id"], name=op.f("fk_warning_step_warning_id_warning")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_step")),
    )
    with op.batch_alter_table("warning_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_warning_step_warning_id"), ["warning_id"], unique=False
        )


def downgrade() -> None:
    op.drop_index("ix_item_match_matched_at", table_name="item_match")
    with op.batch_alter_table("warning_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warning_step_warning_id"))

    op.drop_table("warning_step")
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.drop_index("ix_warning_state_level")
        batch_op.drop_index(batch_op.f("ix_warning_event_id"))

    op.drop_table("warning")
    with op.batch_alter_table("event_item", schema=None) as batch_op:
        batch_op.drop_index("ix_event_item_event")

    op.drop_table("event_item")
    op.drop_table("event_bucket")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_drill_last")

    op.drop_table("event")
    op.drop_table("stage_cursor")
    op.drop_table("plan_version")
