"""Who is asking, and may they: the one dependency every route declares.

`need(Permission.X)` resolves the caller from an API token (Authorization: Bearer) or the session
cookie, checks CSRF on every state-changing request that rides on a cookie, and refuses a caller
without the permission. Tests walk `app.routes` and read `.permission` off these dependencies.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from yuqing.access.login import principal_for_session
from yuqing.access.permissions import Permission, Principal
from yuqing.access.tokens import needs_touch, principal_for_token, touch

SESSION_COOKIE = "yuqing_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PASSWORD_PATHS = ("/account", "/logout")


class NotAuthenticated(Exception):
    pass


class Forbidden(Exception):
    pass


class CsrfFailed(Exception):
    pass


class MustChangePassword(Exception):
    pass


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _resolve(request: Request) -> Principal | None:
    db = request.app.state.db
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        with db.read() as session:
            who = principal_for_token(session, header[7:].strip())
        if who is not None and who.token_id is not None and needs_touch(who):
            with db.write() as session:
                touch(session, who.token_id)
        return who
    raw = request.cookies.get(SESSION_COOKIE)
    token = request.app.state.cookie.loads(raw) if raw else None
    if token is None:
        return None
    with db.read() as session:
        return principal_for_session(session, token)


async def principal(request: Request) -> Principal | None:
    """The caller, resolved once per request."""
    if not hasattr(request.state, "principal"):
        request.state.principal = await run_in_threadpool(_resolve, request)
    return request.state.principal


async def _check_csrf(request: Request, who: Principal) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not who.csrf_token or not secrets.compare_digest(sent, who.csrf_token):
        raise CsrfFailed()


def need(permission: Permission) -> Callable[[Request], Awaitable[Principal]]:
    async def dependency(request: Request) -> Principal:
        who = await principal(request)
        if who is None:
            raise NotAuthenticated()
        if who.token_name is None and request.method not in SAFE_METHODS:
            await _check_csrf(request, who)
        if (
            who.must_change_password
            and not is_api(request)
            and not request.url.path.startswith(PASSWORD_PATHS)
        ):
            raise MustChangePassword()
        if not who.can(permission):
            raise Forbidden()
        return who

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
