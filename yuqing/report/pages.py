"""Console pages of the report stage: the list with a form to make any report, one report in
the browser, downloads in every format, a flash report's text edited and sent."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.access.permissions import ROLES, Permission, Principal
from yuqing.report import render as formats
from yuqing.report.charts import FontMissing
from yuqing.report.gather import ReportError
from yuqing.report.model import KIND_NAMES
from yuqing.report.schedule import send
from yuqing.report.service import Request as ReportRequest
from yuqing.report.service import edit_flash_text, listing, load, make
from yuqing.report.tables import ReportRow
from yuqing.store.base import utcnow
from yuqing.web.auth import need
from yuqing.web.forms import FormError, back_to, form_int, form_text, form_time
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)
P = Permission
# Which formats each kind offers (the ledger is a table; the flash report is short text).
OFFERED = {
    "ledger": ("xlsx", "docx", "pdf", "html"),
    "flash": ("docx", "pdf", "html"),
    "special": ("docx", "pdf", "html"),
    "review": ("docx", "pdf", "html"),
}
PERIODIC_FORMATS = ("docx", "xlsx", "pdf", "html")


def offered(kind: str) -> tuple[str, ...]:
    return OFFERED.get(kind, PERIODIC_FORMATS)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request, error: str = "", who: Principal = Depends(need(P.REPORTS_READ))
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        rows = listing(session)
    return render(
        request,
        "reports.html",
        {
            "rows": rows,
            "kinds": KIND_NAMES,
            "offered": offered,
            "error": error,
            "today": utcnow().astimezone(request.app.state.settings.tz).date().isoformat(),
        },
    )


def _request_from(form: Any, tz: Any) -> ReportRequest:
    kind = form_text(form, "kind")

    day_text = form_text(form, "day")
    try:
        day = date.fromisoformat(day_text) if day_text else None
    except ValueError as exc:
        raise ReportError(f"日期格式不对：{day_text}") from exc
    return ReportRequest(
        kind=kind,
        day=day,
        start=form_time(form, "start", tz),
        end=form_time(form, "end", tz),
        subject_id=form_int(form, "subject_id"),
        drill=form.get("drill") == "on",
    )


@router.post("/reports")
async def make_report(request: Request, who: Principal = Depends(need(P.REPORTS_MAKE))) -> Response:
    form = await request.form()
    tz = request.app.state.settings.tz

    def run() -> int:
        with request.app.state.db.write() as session:
            return make(session, _request_from(form, tz), who.actor, utcnow(), tz).id

    try:
        report_id = await run_in_threadpool(run)
    except (ReportError, FormError) as exc:
        return back_to("/reports", str(exc))
    return back_to(f"/reports/{report_id}")


def _row(request: Request, report_id: int) -> ReportRow:
    with request.app.state.db.read() as session:
        row = session.get(ReportRow, report_id)
        if row is None:
            raise HTTPException(404)
        session.expunge(row)
        return row


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request,
    report_id: int,
    error: str = "",
    who: Principal = Depends(need(P.REPORTS_READ)),
) -> HTMLResponse:
    row = _row(request, report_id)
    report = load(row)
    try:
        body = formats.to_html(report)
    except FontMissing as exc:
        body, error = "", str(exc)
    return render(
        request,
        "report.html",
        {
            "row": row,
            "report": report,
            "body": body,
            "formats": offered(row.kind),
            "roles": ROLES,
            "error": error,
        },
    )


@router.get("/reports/{report_id}/{fmt}")
def download(
    request: Request, report_id: int, fmt: str, who: Principal = Depends(need(P.REPORTS_READ))
) -> Response:
    row = _row(request, report_id)
    if fmt not in offered(row.kind):
        raise HTTPException(404)
    try:
        data = formats.render(
            load(row), fmt, request.app.state.settings.data_dir / "report-templates"
        )
    except (formats.FormatUnavailable, FontMissing) as exc:
        raise HTTPException(409, str(exc)) from exc
    name = f"{row.title}.{fmt}"
    return Response(
        data,
        media_type=formats.FORMATS[fmt],
        headers={
            "Content-Disposition": f"attachment; filename=report-{row.id}.{fmt}; "
            f"filename*=UTF-8''{quote(name)}"
        },
    )


@router.post("/reports/{report_id}/text")
async def edit_text(
    request: Request, report_id: int, who: Principal = Depends(need(P.REPORTS_MAKE))
) -> Response:
    form = await request.form()

    def run() -> None:
        with request.app.state.db.write() as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                raise HTTPException(404)
            edit_flash_text(session, row, form_text(form, "text"), who.actor)

    try:
        await run_in_threadpool(run)
    except ReportError as exc:
        return back_to(f"/reports/{report_id}", str(exc))
    return back_to(f"/reports/{report_id}")


@router.post("/reports/{report_id}/send")
async def send_report(
    request: Request, report_id: int, who: Principal = Depends(need(P.REPORTS_MAKE))
) -> Response:
    form = await request.form()
    roles = [r for r in form.getlist("roles") if isinstance(r, str) and r in ROLES]

    def run() -> None:
        with request.app.state.db.write() as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                raise HTTPException(404)
            send(session, row, roles, who.actor, utcnow())

    try:
        await run_in_threadpool(run)
    except ReportError as exc:
        return back_to(f"/reports/{report_id}", str(exc))
    return back_to(f"/reports/{report_id}?sent=1")
