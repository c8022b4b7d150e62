"""How the incident pages take a form: one change in a write transaction, then back to the
page (at its section), with the workflow's refusal shown at the top when there is one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from yuqing.incident.timeline import IncidentError
from yuqing.store.base import utcnow


def local_time(text: str, request: Request) -> datetime | None:
    """A datetime-local field (the office's time zone) in UTC."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise IncidentError(f"时间格式不对：{text} / not a time") from exc
    return value.replace(tzinfo=request.app.state.settings.tz) if value.tzinfo is None else value


def back(url: str, error: str = "") -> Response:
    """Back to the page (at its section), with the refusal shown at the top when there is one."""
    if error:
        path, _, _ = url.partition("#")
        url = path + ("&" if "?" in path else "?") + f"error={quote(error)}"
    return RedirectResponse(url, status_code=303)


async def act(
    request: Request, to: str, change: Callable[[Session, FormData, datetime], str | None]
) -> Response:
    """Run one change in a write transaction; go back to the page, with the refusal if any."""
    form = await request.form()

    def run() -> str | None:
        with request.app.state.db.write() as session:
            return change(session, form, utcnow())

    try:
        target = await run_in_threadpool(run)
    except IncidentError as exc:
        return back(to, str(exc))
    return back(target or to)
