"""Console page of the warning stage: warnings in force, and lifting one (预警解除)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.access.permissions import Permission, Principal
from yuqing.events.growth import unusual
from yuqing.events.pages import level_view
from yuqing.events.tables import Event
from yuqing.judge.queries import scheme_volumes
from yuqing.store.base import utcnow
from yuqing.warn.admin import LiftRefused, lift
from yuqing.warn.queries import active_warnings
from yuqing.web.auth import need
from yuqing.web.forms import form_text
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/warnings", response_class=HTMLResponse)
def warnings_page(
    request: Request,
    drill: str = "",
    error: str = "",
    who: Principal = Depends(need(Permission.EVENTS_READ)),
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        rows = active_warnings(session, drill == "1")
        events = {w.event_id: session.get(Event, w.event_id) for w in rows}
        levels = level_view(session, None)
        volumes = scheme_volumes(session, utcnow())
    surges = [
        (name, found.recent, round(found.expected, 1))
        for name, last_hour, before in volumes.values()
        if (found := unusual(last_hour, before / 24)) is not None
    ]
    return render(
        request,
        "warnings.html",
        {
            "rows": rows,
            "events": events,
            "levels": levels,
            "drill": drill == "1",
            "error": error,
            "surges": surges,
        },
    )


@router.post("/warnings/{warning_id}/lift")
async def lift_warning(
    request: Request, warning_id: int, who: Principal = Depends(need(Permission.WARNINGS_LIFT))
) -> Response:
    form = await request.form()

    def run() -> bool:
        with request.app.state.db.write() as session:
            return lift(session, warning_id, who, form_text(form, "reason")).drill

    try:
        drill = await run_in_threadpool(run)
    except LiftRefused as exc:
        return RedirectResponse(f"/warnings?error={exc}", status_code=303)
    return RedirectResponse("/warnings" + ("?drill=1" if drill else ""), status_code=303)
