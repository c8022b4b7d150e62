"""API tokens for machines (crawlers, vendors' pushers): shown once, stored as a SHA-256."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.access.login import principal_of, sha256
from yuqing.access.permissions import Permission, Principal
from yuqing.access.tables import ApiToken, User
from yuqing.audit.log import Actor, record
from yuqing.store.base import utcnow

TOKEN_PREFIX = "yq_"


class TokenError(ValueError):
    pass


def create_token(
    session: Session,
    owner: User,
    name: str,
    scopes: list[str],
    actor: Actor,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Returns the row and the raw token, which is never stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise TokenError("令牌名称不能为空 / token name is empty")
    valid = {p.value for p in Permission}
    bad = sorted(set(scopes) - valid)
    if bad:
        raise TokenError(f"未知权限 / unknown scope: {', '.join(bad)}")
    if not scopes:
        raise TokenError("至少需要一个权限范围 / a token needs at least one scope")
    owner_perms = principal_of(owner).permissions
    beyond = sorted(set(scopes) - {p.value for p in owner_perms})
    if beyond:
        raise TokenError(f"令牌权限不能超过其所属用户 / owner lacks: {', '.join(beyond)}")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        prefix=raw[:10],
        token_hash=sha256(raw),
        user_id=owner.id,
        scopes=sorted(set(scopes)),
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor,
        "token.create",
        "api_token",
        token.id,
        summary=name,
        after={"name": name, "owner": owner.username, "scopes": token.scopes},
    )
    return token, raw


def revoke_token(session: Session, token_id: int, actor: Actor) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise TokenError("没有该令牌 / no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(session, actor, "token.revoke", "api_token", token.id, summary=token.name)
    return token


def principal_for_token(
    session: Session, raw: str, now: datetime | None = None
) -> Principal | None:
    now = now or utcnow()
    token = session.execute(
        select(ApiToken).where(ApiToken.token_hash == sha256(raw))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    owner = principal_of(token.user)
    valid = {p.value for p in Permission}
    granted = {Permission(s) for s in token.scopes if s in valid} | {Permission.ACCOUNT}
    scoped = owner.permissions & granted
    return replace(
        owner,
        permissions=frozenset(scoped),
        token_name=token.name,
        token_id=token.id,
        token_last_used=token.last_used_at,
    )


TOUCH_EVERY = timedelta(minutes=5)


def needs_touch(who: Principal, now: datetime | None = None) -> bool:
    """Record use at most every few minutes, so API traffic does not become write traffic."""
    if who.token_id is None:
        return False
    last = who.token_last_used
    return last is None or (now or utcnow()) - last >= TOUCH_EVERY


def touch(session: Session, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is not None:
        token.last_used_at = utcnow()


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.execute(select(ApiToken).order_by(ApiToken.id.desc())).scalars())
