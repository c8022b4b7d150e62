"""JSON API of the incident workflow: the same functions as the console, the same permissions
and department scope, refusals as 409 with the reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from yuqing.access.permissions import Permission, Principal
from yuqing.incident import closing, queries, statements, work
from yuqing.incident.opening import change_level, open_by_hand
from yuqing.incident.tables import Deadline, Incident
from yuqing.incident.timeline import IncidentError, get_incident
from yuqing.store.base import utcnow
from yuqing.web.auth import need

router = APIRouter(prefix="/api/v1", tags=["incidents"])
P = Permission
T = TypeVar("T")


class IncidentOut(BaseModel):
    id: int
    drill: bool
    event_id: int | None
    title: str
    category: str | None
    state: str
    level: int | None
    peak_level: int | None
    lead_unit: str
    departments: list[int]
    opened_at: datetime
    answered_at: datetime | None
    subsided_at: datetime | None
    archived_at: datetime | None


class DeadlineOut(BaseModel):
    id: int
    kind: str
    label: str
    level: int | None
    task_id: int | None
    owner: str
    rule: str
    due_at: datetime
    state: str
    warned_at: datetime | None
    met_at: datetime | None
    met_by: str | None
    breached_at: datetime | None


class TaskOut(BaseModel):
    id: int
    incident_id: int
    kind: str
    title: str
    department_id: int | None
    assignee: str | None
    due_at: datetime | None
    state: str
    result: str | None
    done_at: datetime | None
    done_by: str | None


class StatementOut(BaseModel):
    id: int
    kind: str
    version: int
    text: str
    state: str
    approver_role: str
    approved_by: str | None
    published_at: datetime | None
    channel: str | None
    url: str | None


class EntryOut(BaseModel):
    at: datetime
    kind: str
    actor: str
    text: str


class IncidentDetail(IncidentOut):
    deadlines: list[DeadlineOut]
    tasks: list[TaskOut]
    statements: list[StatementOut]
    timeline: list[EntryOut]
    review: dict[str, Any] | None
    lessons: str | None


class OpenIn(BaseModel):
    reason: str = Field(min_length=4, max_length=1000)
    title: str | None = Field(None, max_length=500)
    level: int | None = Field(None, ge=1, le=4)
    event_id: int | None = None
    item_id: int | None = None


class MoveIn(BaseModel):
    target: str
    note: str = Field("", max_length=1000)


class LevelIn(BaseModel):
    level: int = Field(ge=1, le=4)
    reason: str = Field(min_length=4, max_length=1000)


class TaskIn(BaseModel):
    kind: Literal["verify", "fix", "draft", "report", "other"] = "verify"
    title: str = Field("", max_length=500)
    department_id: int | None = None
    assignee: str | None = Field(None, max_length=64)
    due_at: datetime | None = None


class ResultIn(BaseModel):
    result: str = Field(min_length=2, max_length=5000)


class NoteIn(BaseModel):
    text: str = Field("", max_length=2000)


class ReviewIn(BaseModel):
    lessons: str = Field(min_length=10, max_length=20000)


def out(model: type[T], row: Any) -> T:
    return model(**{name: getattr(row, name) for name in model.model_fields})  # type: ignore[attr-defined]


def write(request: Request, change: Callable[[Session, datetime], T]) -> T:
    try:
        with request.app.state.db.write() as session:
            return change(session, utcnow())
    except IncidentError as exc:
        raise HTTPException(409, str(exc)) from exc


def _detail(session: Session, incident: Incident, who: Principal) -> IncidentDetail:
    said = statements.statements_of(session, incident.id)
    if not queries.sees_all(who):
        said = [(s, steps) for s, steps in said if s.state == "published"]
    return IncidentDetail(
        **out(IncidentOut, incident).model_dump(),
        deadlines=[out(DeadlineOut, d) for d in queries.deadlines(session, incident.id)],
        tasks=[out(TaskOut, t) for t in queries.tasks(session, incident.id, who)],
        statements=[out(StatementOut, s) for s, _ in said],
        timeline=[out(EntryOut, e) for e in queries.entries(session, incident.id)]
        if queries.sees_all(who)
        else [],
        review=incident.review,
        lessons=incident.lessons,
    )


def _visible(session: Session, incident_id: int, who: Principal) -> Incident:
    incident = queries.visible(session, incident_id, who)
    if incident is None:
        raise HTTPException(404, "no such incident")
    return incident


@router.get("/incidents", response_model=list[IncidentOut])
def api_incidents(
    request: Request, drill: bool = False, who: Principal = Depends(need(P.INCIDENTS_READ))
) -> list[IncidentOut]:
    """Incidents not yet archived, the most severe first (a handler: their department's)."""
    with request.app.state.db.read() as session:
        return [out(IncidentOut, c.incident) for c in queries.board(session, who, drill)]


@router.post("/incidents", response_model=IncidentOut, status_code=201)
def api_open(
    request: Request, body: OpenIn, who: Principal = Depends(need(P.INCIDENTS_MANAGE))
) -> IncidentOut:
    """Open an incident by hand, from an event (its open incident if it has one) or an item."""

    def change(session: Session, now: datetime) -> IncidentOut:
        incident = open_by_hand(
            session,
            body.title or "",
            body.level,
            body.reason,
            body.event_id,
            body.item_id,
            who.actor,
            now,
        )
        return out(IncidentOut, incident)

    return write(request, change)


@router.get("/incidents/{incident_id}", response_model=IncidentDetail)
def api_incident(
    request: Request, incident_id: int, who: Principal = Depends(need(P.INCIDENTS_READ))
) -> IncidentDetail:
    """One incident: deadlines, tasks, statements and its timeline."""
    with request.app.state.db.read() as session:
        return _detail(session, _visible(session, incident_id, who), who)


@router.post("/incidents/{incident_id}/state", response_model=IncidentOut)
def api_move(
    request: Request,
    incident_id: int,
    body: MoveIn,
    who: Principal = Depends(need(P.INCIDENTS_MANAGE)),
) -> IncidentOut:
    """Move to another state; refused (409) with the reason when the plan does not allow it."""

    def change(session: Session, now: datetime) -> IncidentOut:
        incident = get_incident(session, incident_id)
        closing.move_to(
            session,
            incident,
            body.target,
            who.actor,
            now,
            approver=who.can(P.INCIDENTS_APPROVE),
            note_text=body.note,
        )
        return out(IncidentOut, incident)

    return write(request, change)


@router.post("/incidents/{incident_id}/end", response_model=IncidentOut)
def api_end(
    request: Request,
    incident_id: int,
    body: MoveIn,
    who: Principal = Depends(need(P.INCIDENTS_APPROVE)),
) -> IncidentOut:
    """End the emergency (平息): the approver's decision. `target` is ignored."""

    def change(session: Session, now: datetime) -> IncidentOut:
        incident = get_incident(session, incident_id)
        closing.move_to(
            session, incident, "subsided", who.actor, now, approver=True, note_text=body.note
        )
        return out(IncidentOut, incident)

    return write(request, change)


@router.post("/incidents/{incident_id}/level", response_model=IncidentOut)
def api_level(
    request: Request,
    incident_id: int,
    body: LevelIn,
    who: Principal = Depends(need(P.INCIDENTS_MANAGE)),
) -> IncidentOut:
    def change(session: Session, now: datetime) -> IncidentOut:
        incident = get_incident(session, incident_id)
        change_level(session, incident, body.level, body.reason, who.actor, now)
        return out(IncidentOut, incident)

    return write(request, change)


@router.post("/incidents/{incident_id}/tasks", response_model=TaskOut, status_code=201)
def api_task(
    request: Request,
    incident_id: int,
    body: TaskIn,
    who: Principal = Depends(need(P.INCIDENTS_MANAGE)),
) -> TaskOut:
    """Give a task to a department or a person; its handlers are told."""

    def change(session: Session, now: datetime) -> TaskOut:
        task = work.add_task(
            session,
            get_incident(session, incident_id),
            body.kind,
            body.title,
            body.department_id,
            body.assignee,
            body.due_at,
            who.actor,
            now,
        )
        return out(TaskOut, task)

    return write(request, change)


@router.get("/tasks", response_model=list[TaskOut])
def api_my_tasks(
    request: Request, done: bool = False, who: Principal = Depends(need(P.TASKS_WORK))
) -> list[TaskOut]:
    """The caller's department's tasks and those given to the caller."""
    with request.app.state.db.read() as session:
        return [out(TaskOut, t) for t, _ in queries.my_tasks(session, who, done)]


@router.post("/tasks/{task_id}/done", response_model=TaskOut)
def api_finish(
    request: Request, task_id: int, body: ResultIn, who: Principal = Depends(need(P.TASKS_WORK))
) -> TaskOut:
    def change(session: Session, now: datetime) -> TaskOut:
        task = queries.visible_task(session, task_id, who)
        if task is None:
            raise HTTPException(404, "no such task")
        work.finish_task(session, task, body.result, who.actor, now, queries.may_answer(task, who))
        return out(TaskOut, task)

    return write(request, change)


@router.post("/incidents/{incident_id}/deadlines/{deadline_id}/met", response_model=DeadlineOut)
def api_deadline_met(
    request: Request,
    incident_id: int,
    deadline_id: int,
    body: NoteIn,
    who: Principal = Depends(need(P.INCIDENTS_MANAGE)),
) -> DeadlineOut:
    """Mark a deadline met by something the system cannot see; `text` says how."""

    def change(session: Session, now: datetime) -> DeadlineOut:
        d = session.get(Deadline, deadline_id)
        if d is None or d.incident_id != incident_id:
            raise HTTPException(404, "no such deadline")
        work.meet_by_hand(session, d, body.text, who.actor, now)
        return out(DeadlineOut, d)

    return write(request, change)


@router.post("/incidents/{incident_id}/review", response_model=IncidentDetail)
def api_review(
    request: Request,
    incident_id: int,
    body: ReviewIn,
    who: Principal = Depends(need(P.INCIDENTS_MANAGE)),
) -> IncidentDetail:
    """Write the review while reviewing: figures from the record, lessons from people."""

    def change(session: Session, now: datetime) -> IncidentDetail:
        incident = get_incident(session, incident_id)
        closing.write_review(session, incident, body.lessons, who.actor, now)
        return _detail(session, incident, who)

    return write(request, change)


@router.get("/cases", response_model=list[IncidentOut])
def api_cases(
    request: Request,
    q: str = "",
    level: int | None = None,
    category: str = "",
    department_id: int | None = None,
    who: Principal = Depends(need(P.INCIDENTS_READ)),
) -> list[IncidentOut]:
    """The case library: archived incidents by text, peak level, category and department."""
    f = queries.CaseFilter(
        q=q[:100], level=level, category=category[:32], department_id=department_id
    )
    with request.app.state.db.read() as session:
        return [out(IncidentOut, r) for r in queries.cases(session, f, who)]
