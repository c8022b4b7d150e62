"""Console pages of the incident stage: the board, one incident, "my tasks" and the case library,
and the forms that move an incident along. Every change goes through the workflow functions, so
the pages refuse exactly what the rules refuse, with the same reasons."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from yuqing.access.permissions import Permission, Principal
from yuqing.incident import closing, queries, work
from yuqing.incident.forms import act
from yuqing.incident.opening import change_level, open_by_hand
from yuqing.incident.states import MOVES, STATES
from yuqing.incident.tables import Deadline, RequiredAction
from yuqing.incident.timeline import IncidentError, get_incident, note
from yuqing.incident.view import category_names, incident_context
from yuqing.plan.schema import LEVEL_COLOURS, ROMAN
from yuqing.store.base import utcnow
from yuqing.web.auth import need
from yuqing.web.forms import form_int, form_text, form_time
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)
P = Permission


@router.get("/incidents", response_class=HTMLResponse)
def board_page(
    request: Request, drill: str = "", who: Principal = Depends(need(P.INCIDENTS_READ))
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        cards = queries.board(session, who, drill == "1")
    columns = {s: [c for c in cards if c.incident.state == s] for s in STATES if s != "archived"}
    return render(
        request,
        "incidents.html",
        {
            "columns": columns,
            "drill": drill == "1",
            "now": utcnow(),
            "level_colours": LEVEL_COLOURS,
            "roman": ROMAN,
        },
    )


@router.post("/incidents")
async def open_from_form(
    request: Request, who: Principal = Depends(need(P.INCIDENTS_MANAGE))
) -> Response:
    form = await request.form()
    back = form_text(form, "back") or "/incidents"
    if not back.startswith("/"):
        back = "/incidents"

    def change(session: Session, form: FormData, now: datetime) -> str:
        incident = open_by_hand(
            session,
            form_text(form, "title"),
            form_int(form, "level"),
            form_text(form, "reason"),
            form_int(form, "event_id"),
            form_int(form, "item_id"),
            who.actor,
            now,
        )
        return f"/incidents/{incident.id}"

    return await act(request, back, change)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    request: Request,
    incident_id: int,
    error: str = "",
    who: Principal = Depends(need(P.INCIDENTS_READ)),
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        incident = queries.visible(session, incident_id, who)
        if incident is None:
            raise HTTPException(404)
        context = incident_context(session, incident, who, utcnow(), request.app.state.settings.tz)
    return render(request, "incident.html", {**context, "error": error, "moves": MOVES})


def _page(incident_id: int) -> str:
    return f"/incidents/{incident_id}"


@router.post("/incidents/{incident_id}/state")
async def move(
    request: Request, incident_id: int, who: Principal = Depends(need(P.INCIDENTS_MANAGE))
) -> Response:
    def change(session: Session, form: FormData, now: datetime) -> None:
        target = form_text(form, "target")
        closing.move_to(
            session,
            get_incident(session, incident_id),
            target,
            who.actor,
            now,
            approver=who.can(P.INCIDENTS_APPROVE),
            note_text=form_text(form, "note"),
        )

    return await act(request, _page(incident_id), change)


@router.post("/incidents/{incident_id}/end")
async def end(
    request: Request, incident_id: int, who: Principal = Depends(need(P.INCIDENTS_APPROVE))
) -> Response:
    """Ending the emergency (平息) is the approver's decision, so it has its own permission."""

    def change(session: Session, form: FormData, now: datetime) -> None:
        closing.move_to(
            session,
            get_incident(session, incident_id),
            "subsided",
            who.actor,
            now,
            approver=True,
            note_text=form_text(form, "note"),
        )

    return await act(request, _page(incident_id), change)


@router.post("/incidents/{incident_id}/level")
async def set_level(
    request: Request, incident_id: int, who: Principal = Depends(need(P.INCIDENTS_MANAGE))
) -> Response:
    def change(session: Session, form: FormData, now: datetime) -> None:
        level = form_int(form, "level")
        if level is None:
            raise IncidentError("请选择级别 / choose a level")
        incident = get_incident(session, incident_id)
        change_level(session, incident, level, form_text(form, "reason"), who.actor, now)

    return await act(request, _page(incident_id), change)


@router.post("/incidents/{incident_id}/note")
async def add_note(
    request: Request, incident_id: int, who: Principal = Depends(need(P.INCIDENTS_MANAGE))
) -> Response:
    def change(session: Session, form: FormData, now: datetime) -> None:
        incident = get_incident(session, incident_id)
        text = form_text(form, "text")
        category = form_text(form, "category")
        if category and category != incident.category:
            incident.category = category[:32]
            note(
                session, incident, "note", who.actor, f"类别：{category}", now, {}, "incident.edit"
            )
        if text:
            note(session, incident, "note", who.actor, text[:2000], now, {}, "incident.note")

    return await act(request, _page(incident_id), change)


@router.post("/incidents/{incident_id}/tasks")
async def add_task(
    request: Request, incident_id: int, who: Principal = Depends(need(P.INCIDENTS_MANAGE))
) -> Response:
    def change(session: Session, form: FormData, now: datetime) -> None:
        hours = form_int(form, "hours")
        due = form_time(form, "due_at", request.app.state.settings.tz)
        if due is None and hours:
            due = now + timedelta(hours=hours)
        work.add_task(
            session,
            get_incident(session, incident_id),
            form_text(form, "kind") or "verify",
            form_text(form, "title"),
            form_int(form, "department_id"),
            form_text(form, "assignee") or None,
            due,
            who.actor,
            now,
        )

    return await act(request, _page(incident_id) + "#tasks", change)


@router.post("/tasks/{task_id}/done")
async def finish_task(
    request: Request, task_id: int, who: Principal = Depends(need(P.TASKS_WORK))
) -> Response:
    form = await request.form()
    back = "/tasks" if form_text(form, "back") == "tasks" else None

    def change(session: Session, form: FormData, now: datetime) -> str | None:
        task = queries.visible_task(session, task_id, who)
        if task is None:
            raise IncidentError("没有这个任务 / no such task")
        answer = form_text(form, "result")
        work.finish_task(session, task, answer, who.actor, now, queries.may_answer(task, who))
        return back or _page(task.incident_id) + "#tasks"

    return await act(request, back or "/tasks", change)


@router.post("/incidents/{incident_id}/deadlines/{deadline_id}/met")
async def deadline_met(
    request: Request,
    incident_id: int,
    deadline_id: int,
    who: Principal = Depends(need(P.INCIDENTS_MANAGE)),
) -> Response:
    def change(session: Session, form: FormData, now: datetime) -> None:
        d = session.get(Deadline, deadline_id)
        if d is None or d.incident_id != incident_id:
            raise IncidentError("没有这个时限 / no such deadline")
        work.meet_by_hand(session, d, form_text(form, "text"), who.actor, now)

    return await act(request, _page(incident_id) + "#deadlines", change)


@router.post("/incidents/{incident_id}/actions/{action_id}/done")
async def action_done(
    request: Request,
    incident_id: int,
    action_id: int,
    who: Principal = Depends(need(P.INCIDENTS_MANAGE)),
) -> Response:
    def change(session: Session, form: FormData, now: datetime) -> None:
        a = session.get(RequiredAction, action_id)
        if a is None or a.incident_id != incident_id:
            raise IncidentError("没有这项措施 / no such action")
        work.tick_action(session, a, form_text(form, "text"), who.actor, now)

    return await act(request, _page(incident_id) + "#actions", change)


@router.post("/incidents/{incident_id}/review")
async def review(
    request: Request, incident_id: int, who: Principal = Depends(need(P.INCIDENTS_MANAGE))
) -> Response:
    def change(session: Session, form: FormData, now: datetime) -> None:
        incident = get_incident(session, incident_id)
        closing.write_review(session, incident, form_text(form, "lessons"), who.actor, now)

    return await act(request, _page(incident_id) + "#review", change)


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request, done: str = "", error: str = "", who: Principal = Depends(need(P.TASKS_WORK))
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        rows = queries.my_tasks(session, who, done == "1")
        names = queries.department_names(session)
    return render(
        request,
        "tasks.html",
        {"rows": rows, "names": names, "done": done == "1", "error": error, "now": utcnow()},
    )


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    q: str = "",
    level: str = "",
    category: str = "",
    department: str = "",
    who: Principal = Depends(need(P.INCIDENTS_READ)),
) -> HTMLResponse:
    f = queries.CaseFilter(
        q=q[:100],
        level=int(level) if level.isdigit() else None,
        category=category[:32],
        department_id=int(department) if department.isdigit() else None,
    )
    with request.app.state.db.read() as session:
        rows = queries.cases(session, f, who)
        names = queries.department_names(session)
        categories = category_names(session)
    return render(
        request,
        "cases.html",
        {"rows": rows, "f": f, "names": names, "categories": categories},
    )
