"""Pages that belong to no stage: home, language switch, health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import text

from yuqing.access.permissions import Permission
from yuqing.web.auth import principal
from yuqing.web.i18n import LANGUAGES

router = APIRouter()


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths, so a crafted link cannot bounce a user to another site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


@router.get("/", include_in_schema=False)
async def home(request: Request) -> Response:
    who = await principal(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if who.can(Permission.EVENTS_READ):
        return RedirectResponse("/dashboard", 303)
    if who.can(Permission.TASKS_WORK):  # a department's handler starts with their tasks
        return RedirectResponse("/tasks", 303)
    return RedirectResponse("/items" if who.can(Permission.ITEMS_READ) else "/account", 303)


@router.get("/lang/{code}", include_in_schema=False)
def switch_language(code: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie("lang", code, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.get("/healthz", tags=["system"])
def health(request: Request) -> dict[str, str]:
    """Liveness and database reachability, for monitoring and load balancers."""
    with request.app.state.db.read() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok"}
