from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from yuqing.collect.tables import Source
from yuqing.store.bulk import insert_rows, update_rows
from yuqing.store.db import Database


def test_insert_rows_stores_what_sqlalchemy_stores(db: Database) -> None:
    due = datetime(2026, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=8)))
    row = {"name": "县融媒体中心", "kind": "rss", "config": {"标签": ["本地"]}, "next_due_at": due}
    with db.write() as s:
        s.execute(insert(Source.__table__), [{**row, "key": "by-sqlalchemy"}])
        insert_rows(s, Source.__table__, [{**row, "key": "ours-1"}, {**row, "key": "ours-2"}])
        insert_rows(s, Source.__table__, [])
    columns = [c for c in Source.__table__.c if c.name not in ("id", "key", "created_at")]
    with db.read() as s:
        stored = {r.key: r for r in s.execute(select(Source.__table__))}
    theirs = stored.pop("by-sqlalchemy")
    assert set(stored) == {"ours-1", "ours-2"}
    for ours in stored.values():
        assert [ours._mapping[c] for c in columns] == [theirs._mapping[c] for c in columns]
        assert ours.config == {"标签": ["本地"]} and ours.next_due_at == due
        assert ours.enabled is True and ours.interval_seconds == 600
        assert abs(ours.created_at - theirs.created_at) < timedelta(minutes=1)
    with db.read() as s:  # the same stored text, not only the same value read back
        raw = dict(s.execute(text("SELECT key, next_due_at FROM source")).all())
    assert raw["ours-1"] == raw["ours-2"] == raw["by-sqlalchemy"]
    naive = {**row, "key": "naive", "next_due_at": datetime(2026, 3, 1, 8, 30)}
    with pytest.raises(Exception, match="naive"), db.write() as s:
        insert_rows(s, Source.__table__, [naive])


def test_insert_rows_refuses_a_column_whose_default_is_sql(db: Database) -> None:
    table = Table(
        "with_sql_default",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("n", Integer, default=func.abs(-1)),
    )
    with db.write() as s, pytest.raises(ValueError, match=r"with_sql_default: .* needs a value"):
        insert_rows(s, table, [{"id": 1}])


def test_update_rows_sets_each_rows_own_columns(db: Database) -> None:
    due = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    with db.write() as s:
        base = {"name": "源", "kind": "rss"}
        insert_rows(s, Source.__table__, [{**base, "key": k} for k in ("a", "b", "c")])
        ids = dict(s.execute(select(Source.key, Source.id)).all())
        update_rows(
            s,
            Source.__table__,
            [
                {"id": ids["a"], "config": {"页": 2}, "next_due_at": due},
                {"id": ids["b"], "name": "改名"},
                {"id": ids["c"], "config": {"页": 3}, "next_due_at": None},
            ],
        )
        update_rows(s, Source.__table__, [])
    with db.read() as s:
        stored = {r.key: r for r in s.execute(select(Source.__table__))}
    assert (stored["a"].name, stored["a"].config, stored["a"].next_due_at) == ("源", {"页": 2}, due)
    assert (stored["b"].name, stored["b"].config, stored["b"].next_due_at) == ("改名", {}, None)
    assert (stored["c"].config, stored["c"].next_due_at) == ({"页": 3}, None)


def test_update_rows_sets_a_python_onupdate_the_rows_leave_out(db: Database) -> None:
    table = Table(
        "with_onupdate",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("n", Integer),
        Column("version", Integer, default=0, onupdate=lambda: 7),
    )
    with db.write() as s:
        table.create(s.connection())
        insert_rows(s, table, [{"id": 1, "n": 1}, {"id": 2, "n": 2}])
        update_rows(s, table, [{"id": 1, "n": 10}])
    with db.read() as s:
        stored = dict(s.execute(select(table.c.id, table.c.version)).all())
        n = dict(s.execute(select(table.c.id, table.c.n)).all())
    assert stored == {1: 7, 2: 0}
    assert n == {1: 10, 2: 2}


def test_a_duplicate_raises_integrity_error_and_the_transaction_keeps_nothing(db: Database) -> None:
    """Intake retries a batch on IntegrityError (another worker stored one of its items first):
    PostgreSQL's COPY must fail as SQLAlchemy's executemany did."""
    rows = [{"key": k, "name": "源", "kind": "rss"} for k in ("a", "b")]
    with db.write() as s:
        insert_rows(s, Source.__table__, rows[:1])
    with pytest.raises(IntegrityError), db.write() as s:
        insert_rows(s, Source.__table__, [rows[1]])
        insert_rows(s, Source.__table__, rows)
    with db.write() as s:  # the session is usable again, and the failed one left nothing
        insert_rows(s, Source.__table__, [{"key": "c", "name": "源", "kind": "rss"}])
    with db.read() as s:
        assert sorted(s.execute(select(Source.key)).scalars()) == ["a", "c"]


def test_insert_rows_keeps_nulls_text_and_the_servers_ids(db: Database) -> None:
    """What COPY's text format could get wrong: NULL against the string \\N, tabs, newlines and
    backslashes in text, and ids left to the database."""
    odd = "a\tb\\N\n\\c\r"
    with db.write() as s:
        insert_rows(
            s,
            Source.__table__,
            [
                {"key": "odd", "name": odd, "kind": "rss", "next_due_at": None},
                {"key": "nul", "name": "\\N", "kind": "rss", "next_due_at": None},
            ],
        )
    with db.read() as s:
        stored = {r.key: r for r in s.execute(select(Source.__table__))}
    assert stored["odd"].name == odd and stored["nul"].name == "\\N"
    assert stored["odd"].next_due_at is None and stored["odd"].id != stored["nul"].id
