"""Logging in: password check, throttling of repeated failures, and server-side sessions.

Sessions live in the database (so any web worker can serve any request and a disabled user is
logged out everywhere); the cookie carries a signed random token whose hash is the key.
A fresh token is issued at every login, so a token planted before login is worthless.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yuqing.access.passwords import DUMMY_HASH, verify_password
from yuqing.access.permissions import Principal, permissions_of
from yuqing.access.tables import LoginAttempt, User, WebSession
from yuqing.audit.log import Actor, record
from yuqing.store.base import utcnow


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    session_length: timedelta = timedelta(hours=12)

    @property
    def max_ip_failures(self) -> int:
        return self.max_failures * 4


class LoginRefused(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _recent_failures(session: Session, since: datetime, **where: str | None) -> int:
    q = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.at >= since, LoginAttempt.success.is_(False))
    )
    for column, value in where.items():
        q = q.where(getattr(LoginAttempt, column) == value)
    last_ok = select(func.max(LoginAttempt.at)).where(LoginAttempt.success.is_(True))
    for column, value in where.items():
        last_ok = last_ok.where(getattr(LoginAttempt, column) == value)
    ok_at = session.execute(last_ok).scalar()
    if ok_at is not None and ok_at > since:
        q = q.where(LoginAttempt.at > ok_at)
    return int(session.execute(q).scalar_one())


def authenticate(
    session: Session, username: str, password: str, ip: str | None, policy: LoginPolicy
) -> User:
    """The user, or LoginRefused with a message fit to show.

    Every attempt is added to the session, refused ones included: the caller must commit the
    transaction when it catches LoginRefused, or throttling would never see the failures.
    """
    now = utcnow()
    since = now - policy.window
    minutes = int(policy.window.total_seconds() // 60)
    if _recent_failures(session, since, username=username) >= policy.max_failures or (
        ip and _recent_failures(session, since, ip=ip) >= policy.max_ip_failures
    ):
        session.add(
            LoginAttempt(username=username, ip=ip, at=now, success=False, reason="throttled")
        )
        raise LoginRefused(
            "throttled",
            f"登录失败次数过多，请 {minutes} 分钟后再试 / too many failed attempts, "
            f"try again in {minutes} minutes",
        )
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if not ok or user is None:
        session.add(
            LoginAttempt(username=username, ip=ip, at=now, success=False, reason="bad_password")
        )
        raise LoginRefused("bad_password", "用户名或密码错误 / wrong user name or password")
    if not user.active:
        session.add(
            LoginAttempt(username=username, ip=ip, at=now, success=False, reason="disabled")
        )
        raise LoginRefused("disabled", "该账号已停用 / this account is disabled")
    session.add(LoginAttempt(username=username, ip=ip, at=now, success=True))
    user.last_login_at = now
    return user


class SessionCookie:
    """Signs and reads the session cookie value."""

    def __init__(self, secret_key: str) -> None:
        self._signer = URLSafeSerializer(secret_key, salt="yuqing.session")

    def dumps(self, token: str) -> str:
        return self._signer.dumps(token)

    def loads(self, value: str) -> str | None:
        try:
            token = self._signer.loads(value)
        except BadSignature:
            return None
        return token if isinstance(token, str) else None


def open_session(
    session: Session, user: User, policy: LoginPolicy, ip: str | None, user_agent: str | None
) -> str:
    """Start a session and return its raw token (for the cookie)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.add(
        WebSession(
            token_hash=sha256(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + policy.session_length,
            ip=ip,
            user_agent=(user_agent or "")[:300],
        )
    )
    record(session, Actor(user.username), "session.login", "user", user.id, summary=ip or "")
    return token


def close_session(session: Session, token: str) -> None:
    ws = session.execute(
        select(WebSession).where(WebSession.token_hash == sha256(token))
    ).scalar_one_or_none()
    if ws is not None:
        user = session.get(User, ws.user_id)
        session.delete(ws)
        if user is not None:
            record(session, Actor(user.username), "session.logout", "user", user.id)


def principal_for_session(session: Session, token: str) -> Principal | None:
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == sha256(token))
    ).first()
    if row is None:
        return None
    ws, user = row
    if ws.expires_at <= utcnow() or not user.active:
        return None
    return principal_of(user, csrf_token=ws.csrf_token)


def principal_of(user: User, csrf_token: str | None = None) -> Principal:
    roles = tuple(user.role_names)
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        department_id=user.department_id,
        roles=roles,
        permissions=permissions_of(list(roles)),
        csrf_token=csrf_token,
        must_change_password=user.must_change_password,
    )
