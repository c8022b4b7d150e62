"""Console pages of the plan stage: versions, built-in templates, writing and checking a plan."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.access.permissions import Permission, Principal
from yuqing.plan import versions
from yuqing.plan.loader import PlanError
from yuqing.plan.schema import COLOURS, DEADLINES
from yuqing.plan.tables import PlanVersion
from yuqing.web.auth import need
from yuqing.web.forms import form_text
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_PLAN_CHARS = 200_000


@router.get("/plans", response_class=HTMLResponse)
def plans_page(
    request: Request,
    template: str = "",
    copy: int | None = None,
    who: Principal = Depends(need(Permission.PLANS_READ)),
) -> HTMLResponse:
    found = versions.templates()
    with request.app.state.db.read() as session:
        rows = versions.listing(session)
        text = ""
        if template in found:
            text = found[template]
        elif copy is not None and (row := session.get(PlanVersion, copy)) is not None:
            text = row.text
    return render(
        request,
        "plans.html",
        {"rows": rows, "templates": list(found), "text": text, "problems": [], "saved": None},
    )


@router.post("/plans", response_class=HTMLResponse)
async def save_plan(
    request: Request, who: Principal = Depends(need(Permission.PLANS_MANAGE))
) -> Response:
    form = await request.form()
    text = form_text(form, "text").replace("\r\n", "\n") + "\n"
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        raw = await upload.read(MAX_PLAN_CHARS * 4 + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = ""
            problems = ["1:1: 文件不是 UTF-8 文本 / the file is not UTF-8 text"]
            return _again(request, text, problems)
    if len(text) > MAX_PLAN_CHARS:
        return _again(request, "", [f"1:1: 预案过长 / longer than {MAX_PLAN_CHARS} characters"])
    activate = form.get("activate") == "on"

    def run() -> versions.Versioned:
        with request.app.state.db.write() as session:
            return versions.save(session, text, who.actor, activate, form_text(form, "note"))

    try:
        saved = await run_in_threadpool(run)
    except PlanError as exc:
        return _again(request, text, [str(p) for p in exc.problems])
    return RedirectResponse(f"/plans/{saved.id}", status_code=303)


def _again(request: Request, text: str, problems: list[str]) -> HTMLResponse:
    with request.app.state.db.read() as session:
        rows = versions.listing(session)
    return render(
        request,
        "plans.html",
        {
            "rows": rows,
            "templates": list(versions.templates()),
            "text": text,
            "problems": problems,
            "saved": None,
        },
        status_code=422,
    )


@router.get("/plans/{version_id}", response_class=HTMLResponse)
def plan_page(
    request: Request, version_id: int, who: Principal = Depends(need(Permission.PLANS_READ))
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        row = session.get(PlanVersion, version_id)
        if row is None:
            raise HTTPException(404)
        v = versions.get(session, version_id)
    assert v is not None
    return render(
        request,
        "plan.html",
        {"row": row, "plan": v.plan, "colours": COLOURS, "deadline_names": DEADLINES},
    )


@router.post("/plans/{version_id}/activate")
def activate_plan(
    request: Request, version_id: int, who: Principal = Depends(need(Permission.PLANS_MANAGE))
) -> Response:
    try:
        with request.app.state.db.write() as session:
            versions.activate_version(session, version_id, who.actor)
    except LookupError as exc:
        raise HTTPException(404) from exc
    return RedirectResponse(f"/plans/{version_id}", status_code=303)
