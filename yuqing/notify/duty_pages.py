"""Console page for the duty roster: who is on duty now, the coming shifts, adding a shift."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.access.permissions import Permission, Principal
from yuqing.notify.duty import DutyInvalid, add_shift, day_kind, on_duty, upcoming
from yuqing.store.base import utcnow
from yuqing.text.times import BadTime, parse_time
from yuqing.web.auth import need
from yuqing.web.forms import form_text
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, error: str = "", status: int = 200) -> HTMLResponse:
    now = utcnow()
    with request.app.state.db.read() as session:
        duty, shifts = on_duty(session, now), upcoming(session, now)
    return render(
        request,
        "duty.html",
        {"duty": duty, "shifts": shifts, "now": now, "error": error},
        status_code=status,
    )


@router.get("/duty", response_class=HTMLResponse)
def duty_page(
    request: Request, who: Principal = Depends(need(Permission.EVENTS_READ))
) -> HTMLResponse:
    return _page(request)


@router.post("/duty", response_class=HTMLResponse)
async def add(
    request: Request, who: Principal = Depends(need(Permission.CHANNELS_MANAGE))
) -> Response:
    form = await request.form()
    tz = request.app.state.settings.tz
    try:
        begin = parse_time(form_text(form, "starts"), tz)
        end = parse_time(form_text(form, "ends"), tz)
    except BadTime as exc:
        return _page(request, str(exc), 422)

    def run() -> None:
        with request.app.state.db.write() as session:
            add_shift(
                session,
                begin,
                end,
                form_text(form, "officer"),
                form_text(form, "leader") or None,
                who.actor,
                day_kind(begin.astimezone(tz).date()),
            )

    try:
        await run_in_threadpool(run)
    except DutyInvalid as exc:
        return _page(request, str(exc), 422)
    return RedirectResponse("/duty", status_code=303)
