"""Console page for drills: start one from a CED cascade or an uploaded JSON Lines file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.access.permissions import Permission, Principal
from yuqing.plan import versions
from yuqing.replay import drills
from yuqing.replay.formats import read_jsonl
from yuqing.web.auth import need
from yuqing.web.forms import form_text
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_DRILL_BYTES = 64 * 1024 * 1024


def _page(request: Request, error: str = "", status: int = 200) -> HTMLResponse:
    folder = request.app.state.settings.shared_data / "ced_weibo_rumor"
    with request.app.state.db.read() as session:
        plan = versions.active(session)
    return render(
        request,
        "drills.html",
        {
            "drills": drills.drills(request.app.state.db),
            "cascades": drills.ced_cascades(folder),
            "speeds": list(drills.SPEEDS),
            "plan": plan,
            "error": error,
        },
        status_code=status,
    )


@router.get("/drills", response_class=HTMLResponse)
def drills_page(
    request: Request, who: Principal = Depends(need(Permission.DRILLS_RUN))
) -> HTMLResponse:
    return _page(request)


@router.post("/drills", response_class=HTMLResponse)
async def start_drill(
    request: Request, who: Principal = Depends(need(Permission.DRILLS_RUN))
) -> Response:
    form = await request.form()
    speed = form_text(form, "speed") or "600"
    if speed not in drills.SPEEDS:
        return _page(request, f"speed {speed!r}", 422)
    upload = form.get("file")
    cascade = form_text(form, "cascade")
    try:
        if upload is not None and not isinstance(upload, str) and upload.filename:
            data = await upload.read(MAX_DRILL_BYTES + 1)
            if len(data) > MAX_DRILL_BYTES:
                return _page(request, "文件过大 / file too large", 413)
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "drill.jsonl"
                path.write_bytes(data)
                records, bad = await run_in_threadpool(read_jsonl, path)
            if not records:
                lines = "; ".join(f"{b.ref}: {b.error}" for b in bad[:5])
                return _page(request, f"没有可回放的信息 / nothing to replay ({lines})", 422)
            name = upload.filename
        elif cascade:
            folder = request.app.state.settings.shared_data / "ced_weibo_rumor"
            records = await run_in_threadpool(drills.ced_records, folder, cascade)
            name = f"CED {cascade}"
        else:
            return _page(request, "请选择回放内容 / choose what to replay", 422)
    except ValueError as exc:
        return _page(request, str(exc), 422)
    drills.start(request.app.state.db, name, records, speed, who.username)
    return RedirectResponse("/drills", status_code=303)


@router.post("/drills/{drill_id}/stop")
def stop_drill(
    request: Request, drill_id: int, who: Principal = Depends(need(Permission.DRILLS_RUN))
) -> Response:
    drills.stop(request.app.state.db, drill_id)
    return RedirectResponse("/drills", status_code=303)
