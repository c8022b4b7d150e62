"""Console forms for statements (通稿·回应口径): draft, edit, submit and publish by the office;
approve or return by the approver, on its own route and permission."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from yuqing.access.permissions import Permission, Principal
from yuqing.incident import statements
from yuqing.incident.forms import act
from yuqing.incident.tables import Statement
from yuqing.incident.timeline import IncidentError, get_incident
from yuqing.web.auth import need
from yuqing.web.forms import form_text

router = APIRouter(include_in_schema=False)
P = Permission


@router.post("/incidents/{incident_id}/statements")
async def draft_statement(
    request: Request, incident_id: int, who: Principal = Depends(need(P.INCIDENTS_MANAGE))
) -> Response:
    def change(session: Session, form: FormData, now: datetime) -> None:
        incident = get_incident(session, incident_id)
        kind = form_text(form, "kind") or "first"
        statements.draft(session, incident, kind, form_text(form, "text"), who.actor, now)

    return await act(request, f"/incidents/{incident_id}" + "#statements", change)


def _statement(session: Session, statement_id: int) -> Statement:
    s = session.get(Statement, statement_id)
    if s is None:
        raise IncidentError("没有这份回应 / no such statement")
    return s


@router.post("/statements/{statement_id}/{step}")
async def statement_step(
    request: Request,
    statement_id: int,
    step: str,
    who: Principal = Depends(need(P.INCIDENTS_MANAGE)),
) -> Response:
    """edit, submit or publish (approving has its own route and permission)."""
    steps: dict[str, Callable[[Session, Statement, FormData, datetime], Any]] = {
        "edit": lambda s, st, f, now: statements.edit(s, st, form_text(f, "text"), who.actor, now),
        "submit": lambda s, st, f, now: statements.submit(s, st, who.actor, now),
        "publish": lambda s, st, f, now: statements.publish(
            s, st, form_text(f, "channel"), form_text(f, "url"), who.actor, now
        ),
    }
    if step not in steps:
        raise HTTPException(404)
    return await _statement_change(request, statement_id, steps[step])


@router.post("/statements/{statement_id}")
async def statement_decision(
    request: Request, statement_id: int, who: Principal = Depends(need(P.INCIDENTS_APPROVE))
) -> Response:
    """批准 or 退回, by the approver."""
    return await _statement_change(
        request,
        statement_id,
        lambda s, st, f, now: statements.decide(
            s,
            st,
            form_text(f, "decision") == "approve",
            form_text(f, "note"),
            who.actor,
            now,
            may_approve=True,
        ),
    )


async def _statement_change(
    request: Request,
    statement_id: int,
    step: Callable[[Session, Statement, FormData, datetime], Any],
) -> Response:
    with request.app.state.db.read() as session:
        found = session.get(Statement, statement_id)
        back = f"/incidents/{found.incident_id}" + "#statements" if found else "/incidents"

    def change(session: Session, form: FormData, now: datetime) -> None:
        step(session, _statement(session, statement_id), form, now)

    return await act(request, back, change)
