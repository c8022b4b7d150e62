import json

import pytest
from alembic import command
from sqlalchemy import text

from tests import pg
from yuqing.audit.log import Actor
from yuqing.collect.importer import import_bytes
from yuqing.store.db import Database
from yuqing.store.migrate import alembic_config, upgrade


def _terms(db: Database) -> list[set[str]]:
    with db.read() as s:
        rows = s.execute(
            text("SELECT tsvector_to_array(terms) FROM item_search ORDER BY item_id")
        ).scalars()
        return [set(r) for r in rows]


def test_0015_rewrites_postgresql_search_terms_both_ways(pg_cluster: pg.Cluster | None) -> None:
    """Terms written before migration 0015 lose the characters that begin a bigram, and a
    downgrade gives them back, so stored items stay searchable either way."""
    if pg_cluster is None:
        pytest.skip("PostgreSQL not installed (initdb not found)")
    url = pg_cluster.create_database("migration_0015")
    upgrade(url)
    db = Database(url)
    rows = [{"id": "0", "text": "县医院 ab 好"}, {"id": "1", "text": "Ёж 医"}]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    assert import_bytes(db, data, "x.jsonl", Actor.cli()).result.created == 2
    slim = [{"院", "ab", "好", "县医", "医院"}, {"ёж", "医"}]
    assert _terms(db) == slim
    command.downgrade(alembic_config(url), "0014")
    assert _terms(db) == [{"县", "医", "院", "ab", "好", "县医", "医院"}, {"ёж", "医"}]
    upgrade(url)
    assert _terms(db) == slim
    with db.read() as s:
        options = s.execute(
            text("SELECT reloptions FROM pg_class WHERE relname = 'ix_item_search_terms'")
        ).scalar_one()
    assert "gin_pending_list_limit=4096" in options
    db.dispose()
