"""search terms without the characters that begin a bigram (PostgreSQL)

The GIN index held each post's characters and its bigrams: 129 terms a post on the real posts.
A character that begins one of the post's bigrams is now left out, and a one-character query is
a prefix query (`字:*`) that finds the post through the bigram (store/search.py): 74 terms a
post, the server's time to index 300,000 posts 93–99 s → 53–56 s, the index 163–202 MiB → 113 MiB
(bench/search_terms.py). The stored terms are rewritten in place, the index dropped first and
built once at the end; at 10,000,000 items allow for tens of minutes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The CJK characters of store/search.py when this migration was written.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
_LEADING = (
    "ARRAY(SELECT DISTINCT left(l, 1) FROM unnest(tsvector_to_array(terms)) AS l WHERE l ~ :bigram)"
)


def _rewrite(terms: str) -> None:
    op.execute("DROP INDEX ix_item_search_terms")
    op.execute(
        sa.text(f"UPDATE item_search SET terms = {terms}").bindparams(bigram=f"^[{_CJK}][{_CJK}]$")
    )
    op.execute(
        "CREATE INDEX ix_item_search_terms ON item_search USING gin (terms) "
        "WITH (gin_pending_list_limit = 4096)"
    )
    op.execute("ANALYZE item_search")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rewrite(f"ts_delete(terms, {_LEADING})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rewrite(f"terms || array_to_tsvector({_LEADING})")
