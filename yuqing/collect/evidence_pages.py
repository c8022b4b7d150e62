"""取证 from an item's page: preserve it now, list what was preserved, download the files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.access.permissions import Permission, Principal
from yuqing.collect.evidence import EvidenceError, capture, store, target
from yuqing.collect.tables import Evidence
from yuqing.store.base import utcnow
from yuqing.web.auth import need
from yuqing.web.forms import back_to

router = APIRouter(include_in_schema=False)


@router.post("/items/{item_id}/evidence")
async def preserve(
    request: Request, item_id: int, who: Principal = Depends(need(Permission.ITEMS_JUDGE))
) -> Response:
    db = request.app.state.db
    folder: Path = request.app.state.settings.data_dir

    def run() -> None:
        with db.read() as session:
            url, allow_private = target(session, item_id)
        got = capture(url, allow_private)  # outside any transaction: it may take seconds
        with db.write() as session:
            store(session, item_id, got, folder, who.actor, utcnow())

    try:
        await run_in_threadpool(run)
    except EvidenceError as exc:
        return back_to(f"/items/{item_id}#evidence", str(exc))
    return back_to(f"/items/{item_id}#evidence")


@router.get("/evidence/{evidence_id}/{name}")
def evidence_file(
    request: Request,
    evidence_id: int,
    name: str,
    who: Principal = Depends(need(Permission.ITEMS_READ)),
) -> Response:
    with request.app.state.db.read() as session:
        row = session.get(Evidence, evidence_id)
        if row is None or name not in ("page.html", "screenshot.png"):
            raise HTTPException(404)
        path = row.html_path if name == "page.html" else row.screenshot_path
    if not path or not Path(path).exists():
        raise HTTPException(404)
    # The page is served as a download, never rendered on our origin.
    media = "application/octet-stream" if name == "page.html" else "image/png"
    return FileResponse(path, media_type=media, filename=f"evidence-{evidence_id}-{name}")
