"""Departments and users: the changes an admin makes, each recorded in the audit log."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.access.passwords import check_policy, hash_password, one_time_password
from yuqing.access.permissions import ROLES
from yuqing.access.tables import Department, Role, User, WebSession
from yuqing.audit.log import Actor, record

USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
USER_FIELDS = ["username", "display_name", "email", "phone", "department_id", "active"]


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str = ""
    department: str | None = None
    roles: tuple[str, ...] = ("viewer",)
    email: str | None = None
    phone: str | None = None
    password: str | None = None  # None: generate a one-time password


def ensure_department(session: Session, name: str, actor: Actor) -> Department:
    name = name.strip()
    if not name:
        raise AccountError("部门名称不能为空 / department name is empty")
    dept = session.execute(select(Department).where(Department.name == name)).scalar_one_or_none()
    if dept is None:
        dept = Department(name=name)
        session.add(dept)
        session.flush()
        record(
            session,
            actor,
            "department.create",
            "department",
            dept.id,
            summary=name,
            after={"name": name},
        )
    return dept


def get_user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise AccountError(f"没有用户 {username} / no such user")
    return user


def _snapshot(user: User) -> dict[str, object]:
    out: dict[str, object] = {f: getattr(user, f) for f in USER_FIELDS}
    out["roles"] = user.role_names
    return out


def _roles(session: Session, names: tuple[str, ...] | list[str]) -> list[Role]:
    unknown = sorted(set(names) - set(ROLES))
    if unknown:
        raise AccountError(f"未知角色 / unknown role: {', '.join(unknown)}")
    if not names:
        raise AccountError("至少需要一个角色 / a user needs at least one role")
    return list(session.execute(select(Role).where(Role.name.in_(names))).scalars())


def create_user(session: Session, new: NewUser, actor: Actor) -> tuple[User, str | None]:
    """Create a user; returns the one-time password when one was generated."""
    if not USERNAME.match(new.username):
        raise AccountError("用户名须为 2–64 位字母、数字或 _ . - / invalid user name")
    exists = session.execute(select(User.id).where(User.username == new.username)).first()
    if exists:
        raise AccountError(f"用户 {new.username} 已存在 / user exists")
    generated = None
    password = new.password
    if password is None:
        password = generated = one_time_password(new.username)
    else:
        check_policy(password, new.username)
    dept = ensure_department(session, new.department, actor) if new.department else None
    user = User(
        username=new.username,
        display_name=new.display_name or new.username,
        email=new.email or None,
        phone=new.phone or None,
        department_id=dept.id if dept else None,
        password_hash=hash_password(password),
        must_change_password=generated is not None,
        active=True,
        roles=_roles(session, new.roles),
    )
    session.add(user)
    session.flush()
    record(
        session, actor, "user.create", "user", user.id, summary=user.username, after=_snapshot(user)
    )
    return user, generated


def update_user(
    session: Session,
    username: str,
    actor: Actor,
    *,
    display_name: str | None = None,
    department: str | None = None,
    roles: list[str] | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> User:
    user = get_user(session, username)
    before = _snapshot(user)
    if display_name is not None:
        user.display_name = display_name.strip() or user.username
    if department is not None:
        user.department_id = (
            ensure_department(session, department, actor).id if department else None
        )
    if roles is not None:
        user.roles = _roles(session, roles)
    if email is not None:
        user.email = email.strip() or None
    if phone is not None:
        user.phone = phone.strip() or None
    session.flush()
    after = _snapshot(user)
    if after != before:
        record(
            session,
            actor,
            "user.update",
            "user",
            user.id,
            summary=username,
            before=before,
            after=after,
        )
    return user


def set_active(session: Session, username: str, active: bool, actor: Actor) -> User:
    user = get_user(session, username)
    if user.active == active:
        return user
    if not active and "admin" in user.role_names and _active_admins(session) <= 1:
        raise AccountError("不能停用最后一个管理员 / cannot disable the last admin")
    before = _snapshot(user)
    user.active = active
    if not active:
        session.query(WebSession).filter(WebSession.user_id == user.id).delete()
    session.flush()
    record(
        session,
        actor,
        "user.enable" if active else "user.disable",
        "user",
        user.id,
        summary=username,
        before=before,
        after=_snapshot(user),
    )
    return user


def _active_admins(session: Session) -> int:
    return len(
        session.execute(
            select(User.id).join(User.roles).where(Role.name == "admin", User.active.is_(True))
        ).all()
    )


def reset_password(session: Session, username: str, actor: Actor) -> str:
    """Give the user a new one-time password and end all their sessions."""
    user = get_user(session, username)
    password = one_time_password(username)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    session.query(WebSession).filter(WebSession.user_id == user.id).delete()
    session.flush()
    record(session, actor, "user.reset_password", "user", user.id, summary=username)
    return password


def change_password(session: Session, user: User, new_password: str, actor: Actor) -> None:
    check_policy(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    session.flush()
    record(session, actor, "user.change_password", "user", user.id, summary=user.username)


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.username)).scalars())


def list_departments(session: Session) -> list[Department]:
    return list(session.execute(select(Department).order_by(Department.name)).scalars())


def department_members(session: Session, department_id: int, role: str) -> list[str]:
    """Active users of a department holding a role: who hears of the department's tasks."""
    return list(
        session.execute(
            select(User.username)
            .join(User.roles)
            .where(User.department_id == department_id, User.active.is_(True), Role.name == role)
            .order_by(User.username)
        ).scalars()
    )
