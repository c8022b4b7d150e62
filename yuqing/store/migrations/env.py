"""Alembic environment: runs against the URL the caller's Database was built from."""

from __future__ import annotations

from alembic import context

from yuqing.store.db import Database
from yuqing.store.tables import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url must be set by yuqing.store.migrate"

db = Database(url)
with db.engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=db.is_sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
db.dispose()
