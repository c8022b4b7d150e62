"""JSON API for events and warnings: what the console shows, for other systems to read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from yuqing.access.permissions import Permission, Principal
from yuqing.events.queries import EventFilter, list_events, timeline
from yuqing.events.tables import Event
from yuqing.warn.queries import active_warnings, steps_of_event
from yuqing.warn.tables import Warning_
from yuqing.web.auth import need

router = APIRouter(prefix="/api/v1", tags=["events"])


class EventOut(BaseModel):
    id: int
    drill: bool
    status: str
    title: str
    keywords: list[str]
    first_at: datetime
    last_at: datetime
    items: int
    heat: float
    metrics: dict[str, Any]
    flags: list[str]
    level: int | None
    rule_level: int | None
    reasons: list[str]
    rule: str
    plan_version_id: int | None
    prediction: dict[str, Any] | None
    override_level: int | None
    override_reason: str | None


class BucketOut(BaseModel):
    start: datetime
    added: int
    metrics: dict[str, Any]


class StepOut(BaseModel):
    warning_id: int
    at: datetime
    action: str
    level: int | None
    predicted: bool
    reasons: list[str]
    measures: list[str]
    actor: str


class EventDetail(EventOut):
    timeline: list[BucketOut]
    warning_steps: list[StepOut]


class WarningOut(BaseModel):
    id: int
    event_id: int
    drill: bool
    level: int
    predicted: bool
    predicted_for: datetime | None
    reasons: list[str]
    measures: list[str]
    plan_version_id: int | None
    issued_at: datetime
    updated_at: datetime


def _event(e: Event) -> dict[str, Any]:
    return {name: getattr(e, name) for name in EventOut.model_fields}


def _warning(w: Warning_) -> WarningOut:
    return WarningOut(**{name: getattr(w, name) for name in WarningOut.model_fields})


@router.get("/events", response_model=list[EventOut])
def api_events(
    request: Request,
    level: int | None = Query(None, ge=1, le=4),
    drill: bool = False,
    graded: bool = False,
    limit: int = Query(100, ge=1, le=1000),
    who: Principal = Depends(need(Permission.EVENTS_READ)),
) -> list[EventOut]:
    """Open events, the most severe and the hottest first."""
    with request.app.state.db.read() as session:
        rows = list_events(session, EventFilter(drill, level, graded), limit)
        return [EventOut(**_event(e)) for e in rows]


@router.get("/events/{event_id}", response_model=EventDetail)
def api_event(
    request: Request, event_id: int, who: Principal = Depends(need(Permission.EVENTS_READ))
) -> EventDetail:
    """One event with its 5-minute metrics timeline and every warning step."""
    with request.app.state.db.read() as session:
        e = session.get(Event, event_id)
        if e is None:
            raise HTTPException(404, "no such event")
        buckets = [
            BucketOut(start=b.start, added=b.added, metrics=b.metrics)
            for b in timeline(session, event_id)
        ]
        steps = [
            StepOut(
                warning_id=w.id,
                at=s.at,
                action=s.action,
                level=s.level,
                predicted=s.predicted,
                reasons=s.reasons,
                measures=s.measures,
                actor=s.actor,
            )
            for w, s in steps_of_event(session, event_id)
        ]
        return EventDetail(**_event(e), timeline=buckets, warning_steps=steps)


@router.get("/warnings", response_model=list[WarningOut])
def api_warnings(
    request: Request, drill: bool = False, who: Principal = Depends(need(Permission.EVENTS_READ))
) -> list[WarningOut]:
    """Warnings in force, the most severe first."""
    with request.app.state.db.read() as session:
        return [_warning(w) for w in active_warnings(session, drill)]
