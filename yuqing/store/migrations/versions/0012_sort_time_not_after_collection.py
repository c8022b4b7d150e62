"""sort time never after collection

Intake now clamps a claimed publication time in the future (a wrong clock, a bad feed) to the
collection time for sorting; items stored before get the same, so that "newest first" search can
rely on it (collect/queries.py). The claimed time stays in published_at.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 11:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE item SET sort_at = collected_at WHERE sort_at > collected_at")


def downgrade() -> None:
    op.execute("UPDATE item SET sort_at = published_at WHERE published_at > sort_at")
