"""a smaller pending list for the search index (PostgreSQL)

New index terms wait in the GIN index's pending list until it is merged into the index. With
the 32 MiB limit of migration 0001, the write that filled it merged it in about 0.9 s, holding up
the items behind it, and after a bulk load of 300,000 items rare-word searches took 170 ms instead
of 5 ms for half a minute, until the list was merged (bench/search_merge.py).
PostgreSQL's default of 4 MiB merges an eighth as much at a time; a bulk load of 300,000 items
takes about 8 % longer. Turning the pending list off (fastupdate) made that load 2.5 times slower.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_item_search_terms SET (gin_pending_list_limit = 4096)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_item_search_terms SET (gin_pending_list_limit = 32768)")
