"""Alembic environment: runs against the URL the caller's Database was built from."""

from __future__ import annotations

from alembic import context

from yuqing.store.db import Database
from yuqing.store.tables import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url must be set by yuqing.store.migrate"

SEARCH_TABLES = ("item_fts", "item_search")


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """The search index is managed by hand (FTS5 / tsvector), not by autogenerate."""
    return not (type_ == "table" and name and name.startswith(SEARCH_TABLES))


db = Database(url, migrating=True)
with db.engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=db.is_sqlite,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
db.dispose()
