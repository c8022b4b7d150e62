"""How the incident pages take a form: one change in a write transaction, then back to the
page (at its section), with the workflow's refusal shown at the top when there is one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from yuqing.incident.timeline import IncidentError
from yuqing.store.base import utcnow
from yuqing.web.forms import FormError, back_to


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
    except (IncidentError, FormError) as exc:
        return back_to(to, str(exc))
    return back_to(target or to)
