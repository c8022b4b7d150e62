"""Console page of the audit stage: the log, newest first, and a check of its chain."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from yuqing.access.permissions import Permission, Principal
from yuqing.audit.log import verify
from yuqing.audit.tables import AuditEntry
from yuqing.web.auth import need
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = 100


@router.get("/audit")
def audit_log(
    request: Request,
    before: int | None = None,
    check: bool = False,
    who: Principal = Depends(need(Permission.AUDIT_READ)),
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE)
        if before:
            stmt = stmt.where(AuditEntry.id < before)
        entries = list(session.execute(stmt).scalars())
        verification = verify(session) if check else None
    older = entries[-1].id if len(entries) == PAGE else None
    return render(
        request, "audit.html", {"entries": entries, "older": older, "verification": verification}
    )
