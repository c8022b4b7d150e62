import pytest
from sqlalchemy import select

from yuqing.access import accounts
from yuqing.access.passwords import verify_password
from yuqing.audit.log import Actor, verify
from yuqing.audit.tables import AuditEntry
from yuqing.store.db import Database

ADMIN = Actor("root")


def test_create_user_with_department_and_roles(db: Database) -> None:
    with db.write() as s:
        user, password = accounts.create_user(
            s, accounts.NewUser("zhang.san", "张三", "宣传部", ("monitor", "office")), ADMIN
        )
        assert password and verify_password(user.password_hash, password)
        assert user.must_change_password
    with db.read() as s:
        u = accounts.get_user(s, "zhang.san")
        assert u.role_names == ["monitor", "office"]
        assert u.department and u.department.name == "宣传部"
        actions = list(s.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())
        assert actions == ["department.create", "user.create"]
        assert verify(s).ok


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (accounts.NewUser("x"), "invalid user name"),
        (accounts.NewUser("ok_name", roles=("king",)), "unknown role"),
        (accounts.NewUser("ok_name", roles=()), "at least one role"),
    ],
)
def test_bad_users_are_refused(db: Database, new: accounts.NewUser, message: str) -> None:
    with pytest.raises(accounts.AccountError, match=message), db.write() as s:
        accounts.create_user(s, new, ADMIN)


def test_duplicate_user_is_refused(db: Database) -> None:
    with db.write() as s:
        accounts.create_user(s, accounts.NewUser("li"), ADMIN)
    with pytest.raises(accounts.AccountError, match="exists"), db.write() as s:
        accounts.create_user(s, accounts.NewUser("li"), ADMIN)


def test_last_admin_cannot_be_disabled(db: Database) -> None:
    with db.write() as s:
        accounts.create_user(s, accounts.NewUser("a1", roles=("admin",)), ADMIN)
    with pytest.raises(accounts.AccountError, match="last admin"), db.write() as s:
        accounts.set_active(s, "a1", False, ADMIN)
    with db.write() as s:
        accounts.create_user(s, accounts.NewUser("a2", roles=("admin",)), ADMIN)
        accounts.set_active(s, "a1", False, ADMIN)
        assert not accounts.get_user(s, "a1").active


def test_update_and_reset_are_audited_with_before_and_after(db: Database) -> None:
    with db.write() as s:
        accounts.create_user(s, accounts.NewUser("wang", roles=("viewer",)), ADMIN)
    with db.write() as s:
        accounts.update_user(s, "wang", ADMIN, roles=["handler"], department="卫健局")
        new_password = accounts.reset_password(s, "wang", ADMIN)
    with db.read() as s:
        u = accounts.get_user(s, "wang")
        assert verify_password(u.password_hash, new_password)
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "user.update")).scalar_one()
        assert entry.before["roles"] == ["viewer"] and entry.after["roles"] == ["handler"]
        assert verify(s).ok
