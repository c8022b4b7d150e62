from sqlalchemy import text

from yuqing.audit.log import Actor, record, verify
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
