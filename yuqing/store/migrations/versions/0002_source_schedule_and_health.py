"""source schedule and health

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Pull sources (RSS, web, API) get a schedule, safety switches and collection state; every run is
logged in source_run, which the health page reads. Items point to the first item of the story
they copy (item.story_id).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SOURCE_COLUMNS = [
    sa.Column("interval_seconds", sa.Integer(), server_default="600", nullable=False),
    sa.Column("jitter_seconds", sa.Integer(), server_default="60", nullable=False),
    sa.Column("allow_private", sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column("respect_robots", sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column("silent_hours", sa.Integer(), nullable=True),
    sa.Column("etag", sa.String(length=300), nullable=True),
    sa.Column("last_modified", sa.String(length=100), nullable=True),
    sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
    sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_new_item_at", sa.DateTime(timezone=True), nullable=True),
]


def upgrade() -> None:
    op.create_table(
        "source_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_source_run_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_run")),
    )
    op.create_index("ix_source_run_source_started", "source_run", ["source_id", "started_at"])
    for column in SOURCE_COLUMNS:
        op.add_column("source", column)
    op.create_index("ix_source_next_due_at", "source", ["next_due_at"])
    if op.get_bind().dialect.name == "sqlite":  # ADD COLUMN keeps the table (no copy)
        op.execute("ALTER TABLE item ADD COLUMN story_id INTEGER REFERENCES item (id)")
    else:
        op.add_column("item", sa.Column("story_id", sa.BigInteger(), nullable=True))
        op.create_foreign_key("fk_item_story_id_item", "item", "item", ["story_id"], ["id"])
    op.create_index("ix_item_story_id", "item", ["story_id"])


def downgrade() -> None:
    op.drop_index("ix_item_story_id", table_name="item")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE item DROP COLUMN story_id")
    else:
        op.drop_constraint("fk_item_story_id_item", "item", type_="foreignkey")
        op.drop_column("item", "story_id")
    op.drop_index("ix_source_next_due_at", table_name="source")
    with op.batch_alter_table("source") as batch:
        for column in reversed(SOURCE_COLUMNS):
            batch.drop_column(column.name)
    op.drop_index("ix_source_run_source_started", table_name="source_run")
    op.drop_table("source_run")
