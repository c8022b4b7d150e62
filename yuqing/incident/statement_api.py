"""JSON API of statements (通稿·回应口径): drafted, edited, submitted and published by the
office; approved or returned by the approver, on its own route and permission."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from yuqing.access.permissions import Permission, Principal
from yuqing.incident import statements
from yuqing.incident.api import StatementOut, out, write
from yuqing.incident.tables import Statement
from yuqing.incident.timeline import get_incident
from yuqing.web.auth import need

router = APIRouter(prefix="/api/v1", tags=["incidents"])
P = Permission


class StatementIn(BaseModel):
    kind: Literal["first", "formal", "update"] = "first"
    text: str = Field(min_length=10, max_length=20000)


class StatementStepIn(BaseModel):
    text: str = Field("", max_length=20000)
    channel: str = Field("", max_length=100)
    url: str = Field("", max_length=2000)


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field("", max_length=1000)


@router.post("/incidents/{incident_id}/statements", response_model=StatementOut, status_code=201)
def api_draft(
    request: Request,
    incident_id: int,
    body: StatementIn,
    who: Principal = Depends(need(P.INCIDENTS_MANAGE)),
) -> StatementOut:
    def change(session: Session, now: datetime) -> StatementOut:
        incident = get_incident(session, incident_id)
        return out(
            StatementOut, statements.draft(session, incident, body.kind, body.text, who.actor, now)
        )

    return write(request, change)


def _statement(session: Session, statement_id: int) -> Statement:
    s = session.get(Statement, statement_id)
    if s is None:
        raise HTTPException(404, "no such statement")
    return s


@router.post("/statements/{statement_id}/{step}", response_model=StatementOut)
def api_statement_step(
    request: Request,
    statement_id: int,
    step: Literal["edit", "submit", "publish"],
    body: StatementStepIn,
    who: Principal = Depends(need(P.INCIDENTS_MANAGE)),
) -> StatementOut:
    """edit (`text`; an approved one becomes a new version), submit, or publish (`channel`,
    `url`; approved ones only). Returns the statement as it now stands."""

    def change(session: Session, now: datetime) -> StatementOut:
        s = _statement(session, statement_id)
        if step == "edit":
            s = statements.edit(session, s, body.text, who.actor, now)
        elif step == "submit":
            statements.submit(session, s, who.actor, now)
        else:
            statements.publish(session, s, body.channel, body.url, who.actor, now)
        return out(StatementOut, s)

    return write(request, change)


@router.post("/statements/{statement_id}", response_model=StatementOut)
def api_decide(
    request: Request,
    statement_id: int,
    body: DecisionIn,
    who: Principal = Depends(need(P.INCIDENTS_APPROVE)),
) -> StatementOut:
    """Approve, or return with a reason: the approver's decision."""

    def change(session: Session, now: datetime) -> StatementOut:
        s = _statement(session, statement_id)
        statements.decide(session, s, body.approve, body.note, who.actor, now, may_approve=True)
        return out(StatementOut, s)

    return write(request, change)
