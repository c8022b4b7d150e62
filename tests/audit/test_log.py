import contextlib

import pytest
from sqlalchemy import select, text

from yuqing.audit.log import Actor, record, verify
from yuqing.audit.tables import AuditEntry
from yuqing.store.db import Database


def _write(db: Database, n: int) -> None:
    for i in range(n):
        with db.write() as s:
            record(
                s,
                Actor("alice"),
                "thing.change",
                "thing",
                i,
                summary=f"第{i}次",
                before={"v": i},
                after={"v": i + 1, "名称": "中文"},
            )


def test_chain_verifies(db: Database) -> None:
    _write(db, 5)
    with db.read() as s:
        result = verify(s)
    assert result.ok and result.checked == 5


def test_altered_row_is_found(db: Database) -> None:
    _write(db, 5)
    with db.write() as s:
        s.execute(text("UPDATE audit_entry SET summary = 'forged' WHERE id = 3"))
    with db.read() as s:
        result = verify(s)
    assert not result.ok
    assert result.broken_id == 3 and result.checked == 2
    assert "content" in result.reason


def test_altered_json_is_found(db: Database) -> None:
    _write(db, 3)
    with db.write() as s:
        s.execute(text("UPDATE audit_entry SET actor = 'mallory' WHERE id = 2"))
    with db.read() as s:
        assert verify(s).broken_id == 2


def test_deleted_rows_are_found(db: Database) -> None:
    _write(db, 5)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_entry WHERE id = 2"))
    with db.read() as s:
        result = verify(s)
    assert not result.ok and result.broken_id == 2 and "missing" in result.reason
    with db.write() as s:
        s.execute(text("DELETE FROM audit_entry WHERE id >= 2"))
    with db.read() as s:
        result = verify(s)
    assert not result.ok and result.broken_id == 2 and "removed" in result.reason


def test_entry_rolls_back_with_its_change(db: Database) -> None:
    _write(db, 1)
    try:
        with db.write() as s:
            record(s, Actor("bob"), "x", "x")
            raise RuntimeError
    except RuntimeError:
        pass
    _write(db, 1)
    with db.read() as s:
        result = verify(s)
    assert result.ok and result.checked == 2


def test_an_open_transaction_does_not_hold_the_chain(db: Database) -> None:
    """An entry is chained at commit: a long transaction that recorded one (an events run, a
    deadline sweep waiting for it) does not keep other writers waiting for the chain's head."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises whole write transactions")
    with db.write() as long:
        record(long, Actor.system(), "long.first", "x")
        long.flush()
        with db.write() as short:
            short.execute(text("SET LOCAL lock_timeout = '2s'"))
            record(short, Actor("alice"), "short", "x")
        record(long, Actor.system(), "long.second", "x")
    with db.read() as s:
        rows = s.execute(select(AuditEntry.id, AuditEntry.action).order_by(AuditEntry.id)).all()
        assert [tuple(r) for r in rows] == [(1, "short"), (2, "long.first"), (3, "long.second")]
        assert verify(s).ok


def test_a_rolled_back_savepoint_takes_its_entries(db: Database) -> None:
    with db.write() as s:
        record(s, Actor("alice"), "kept.before", "x")
        with contextlib.suppress(RuntimeError), s.begin_nested():
            record(s, Actor("alice"), "dropped", "x")
            with s.begin_nested():
                record(s, Actor("alice"), "dropped.inner", "x")
            raise RuntimeError
        with s.begin_nested():
            record(s, Actor("alice"), "kept.savepoint", "x")
        record(s, Actor("alice"), "kept.after", "x")
    with db.read() as s:
        actions = s.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
        assert actions == ["kept.before", "kept.savepoint", "kept.after"]
        assert verify(s).ok
