"""Console pages of the access stage: log in/out, my account, users, API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.access import accounts, tokens
from yuqing.access.login import (
    LoginPolicy,
    LoginRefused,
    authenticate,
    close_session,
    open_session,
)
from yuqing.access.passwords import WeakPassword, verify_password
from yuqing.access.permissions import ROLES, Permission, Principal
from yuqing.access.tables import User
from yuqing.web.auth import SESSION_COOKIE, need
from yuqing.web.i18n import translate
from yuqing.web.pages import safe_next
from yuqing.web.templating import language, render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "yuqing_login_csrf"


def policy(request: Request) -> LoginPolicy:
    s = request.app.state.settings
    return LoginPolicy(
        max_failures=s.login_max_failures,
        window=timedelta(minutes=s.login_window_minutes),
        session_length=timedelta(hours=s.session_hours),
    )


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _login_page(
    request: Request, next: str, error: str | None = None, status: int = 200, username: str = ""
) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"next": next, "error": error, "login_csrf": token, "username": username},
        status,
    )
    response.set_cookie(
        LOGIN_CSRF, token, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, safe_next(next))


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    login_csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF, "")
    target = safe_next(next)
    if not cookie or not secrets.compare_digest(cookie, login_csrf):
        return _login_page(
            request,
            target,
            "页面已过期，请重新提交 / the form expired, submit again",
            400,
            username,
        )
    db = request.app.state.db
    rules = policy(request)
    with db.write() as session:  # commits the attempt even when the login is refused
        try:
            user = authenticate(session, username.strip(), password, client_ip(request), rules)
        except LoginRefused as exc:
            refused = exc
        else:
            refused = None
            token = open_session(
                session, user, rules, client_ip(request), request.headers.get("user-agent")
            )
    if refused is not None:
        status = 429 if refused.reason == "throttled" else 401
        return _login_page(request, target, str(refused), status, username)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        request.app.state.cookie.dumps(token),
        max_age=int(rules.session_length.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout")
def logout(request: Request, who: Principal = Depends(need(Permission.ACCOUNT))) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)
    token = request.app.state.cookie.loads(raw) if raw else None
    if token:
        with request.app.state.db.write() as session:
            close_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account")
def account(request: Request, who: Principal = Depends(need(Permission.ACCOUNT))) -> HTMLResponse:
    return render(request, "account.html", {})


@router.post("/account/password")
def change_password(
    request: Request,
    current: Annotated[str, Form()],
    new: Annotated[str, Form()],
    repeat: Annotated[str, Form()],
    who: Principal = Depends(need(Permission.ACCOUNT)),
) -> Response:
    lang = language(request)
    if new != repeat:
        return render(request, "account.html", {"error": translate(lang, "account.mismatch")}, 400)
    with request.app.state.db.write() as session:
        user = session.get(User, who.user_id)
        assert user is not None
        if not verify_password(user.password_hash, current):
            return render(
                request, "account.html", {"error": translate(lang, "account.wrong_current")}, 400
            )
        try:
            accounts.change_password(session, user, new, who.actor)
        except WeakPassword as exc:
            return render(request, "account.html", {"error": str(exc)}, 400)
    return RedirectResponse("/account?changed=1", status_code=303)


def _users_page(request: Request, **extra: object) -> HTMLResponse:
    with request.app.state.db.read() as session:
        users = accounts.list_users(session)
        departments = accounts.list_departments(session)
    status = 400 if extra.get("error") else 200
    return render(
        request,
        "users.html",
        {"users": users, "departments": departments, "roles": ROLES, **extra},
        status,
    )


@router.get("/admin/users")
def users(request: Request, who: Principal = Depends(need(Permission.USERS_MANAGE))) -> Response:
    return _users_page(request)


@router.post("/admin/users")
async def create_user(
    request: Request, who: Principal = Depends(need(Permission.USERS_MANAGE))
) -> Response:
    form = await request.form()
    new = accounts.NewUser(
        username=str(form.get("username", "")).strip(),
        display_name=str(form.get("display_name", "")).strip(),
        department=str(form.get("department", "")).strip() or None,
        roles=tuple(str(r) for r in form.getlist("roles")),
        email=str(form.get("email", "")).strip() or None,
        phone=str(form.get("phone", "")).strip() or None,
    )

    def work() -> Response:
        try:
            with request.app.state.db.write() as session:
                _, password = accounts.create_user(session, new, who.actor)
        except (accounts.AccountError, WeakPassword) as exc:
            return _users_page(request, error=str(exc))
        return _users_page(request, created=new.username, password=password)

    return await run_in_threadpool(work)


@router.post("/admin/users/{username}")
async def update_user(
    request: Request, username: str, who: Principal = Depends(need(Permission.USERS_MANAGE))
) -> Response:
    form = await request.form()

    def work() -> Response:
        try:
            with request.app.state.db.write() as session:
                accounts.update_user(
                    session,
                    username,
                    who.actor,
                    display_name=str(form.get("display_name", "")),
                    department=str(form.get("department", "")).strip(),
                    roles=[str(r) for r in form.getlist("roles")],
                    email=str(form.get("email", "")),
                    phone=str(form.get("phone", "")),
                )
        except accounts.AccountError as exc:
            return _users_page(request, error=str(exc))
        return RedirectResponse("/admin/users", status_code=303)

    return await run_in_threadpool(work)


@router.post("/admin/users/{username}/{action}")
def user_action(
    request: Request,
    username: str,
    action: str,
    who: Principal = Depends(need(Permission.USERS_MANAGE)),
) -> Response:
    try:
        with request.app.state.db.write() as session:
            if action == "disable":
                accounts.set_active(session, username, False, who.actor)
            elif action == "enable":
                accounts.set_active(session, username, True, who.actor)
            elif action == "reset-password":
                password = accounts.reset_password(session, username, who.actor)
                return _users_page(request, reset=username, password=password)
            else:
                return _users_page(request, error=f"unknown action {action}")
    except accounts.AccountError as exc:
        return _users_page(request, error=str(exc))
    return RedirectResponse("/admin/users", status_code=303)


def _tokens_page(request: Request, **extra: object) -> HTMLResponse:
    with request.app.state.db.read() as session:
        rows = tokens.list_tokens(session)
        users_ = accounts.list_users(session)
    status = 400 if extra.get("error") else 200
    return render(
        request,
        "tokens.html",
        {"tokens": rows, "users": users_, "scopes": [p.value for p in Permission], **extra},
        status,
    )


@router.get("/admin/tokens")
def token_list(
    request: Request, who: Principal = Depends(need(Permission.TOKENS_MANAGE))
) -> Response:
    return _tokens_page(request)


@router.post("/admin/tokens")
async def token_create(
    request: Request, who: Principal = Depends(need(Permission.TOKENS_MANAGE))
) -> Response:
    form = await request.form()
    days = str(form.get("expires_days", "")).strip()

    def work() -> Response:
        try:
            with request.app.state.db.write() as session:
                owner = accounts.get_user(session, str(form.get("owner", "")))
                _, raw = tokens.create_token(
                    session,
                    owner,
                    str(form.get("name", "")),
                    [str(s) for s in form.getlist("scopes")],
                    who.actor,
                    int(days) if days.isdigit() else None,
                )
        except (accounts.AccountError, tokens.TokenError) as exc:
            return _tokens_page(request, error=str(exc))
        return _tokens_page(request, raw=raw)

    return await run_in_threadpool(work)


@router.post("/admin/tokens/{token_id}/revoke")
def token_revoke(
    request: Request, token_id: int, who: Principal = Depends(need(Permission.TOKENS_MANAGE))
) -> Response:
    try:
        with request.app.state.db.write() as session:
            tokens.revoke_token(session, token_id, who.actor)
    except tokens.TokenError as exc:
        return _tokens_page(request, error=str(exc))
    return RedirectResponse("/admin/tokens", status_code=303)
