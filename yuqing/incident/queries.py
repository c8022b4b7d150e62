"""Reading incidents for the board, one incident's page, "my tasks" and the case library — with
the department scope: whoever cannot read the whole feed sees only the incidents in which their
own department (or they themselves) was given a task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from yuqing.access.permissions import Permission, Principal
from yuqing.access.tables import Department
from yuqing.events.queries import keywords_of
from yuqing.incident.review import DeadlineFact
from yuqing.incident.states import OPEN
from yuqing.incident.tables import Deadline, Incident, IncidentEntry, RequiredAction, Task


def sees_all(who: Principal) -> bool:
    return who.can(Permission.EVENTS_READ)


def _scoped(stmt: Select, who: Principal) -> Select:  # type: ignore[type-arg]
    if sees_all(who):
        return stmt
    mine = select(Task.incident_id).where(
        or_(Task.department_id == who.department_id, Task.assignee == who.username)
        if who.department_id
        else Task.assignee == who.username
    )
    return stmt.where(Incident.id.in_(mine))


def visible(session: Session, incident_id: int, who: Principal) -> Incident | None:
    """The incident if this caller may read it (None for a stranger's: no hint it exists)."""
    return session.execute(
        _scoped(select(Incident).where(Incident.id == incident_id), who)
    ).scalar()


@dataclass(frozen=True)
class Card:
    incident: Incident
    next_due: Deadline | None
    open_tasks: int


def board(session: Session, who: Principal, drill: bool) -> list[Card]:
    """Every incident not yet archived, with its nearest open deadline."""
    rows = list(
        session.execute(
            _scoped(
                select(Incident)
                .where(Incident.drill.is_(drill), Incident.state != "archived")
                .order_by(Incident.level.asc().nulls_last(), Incident.opened_at.desc()),
                who,
            ).limit(300)
        ).scalars()
    )
    ids = [r.id for r in rows]
    nearest: dict[int, Deadline] = {}
    tasks: dict[int, int] = {}
    if ids:
        for d in session.execute(
            select(Deadline)
            .where(Deadline.incident_id.in_(ids), Deadline.state.in_(("open", "breached")))
            .where(Deadline.met_at.is_(None))
            .order_by(Deadline.due_at)
        ).scalars():
            nearest.setdefault(d.incident_id, d)
        tasks = dict(
            session.execute(  # type: ignore[arg-type]
                select(Task.incident_id, func.count())
                .where(Task.incident_id.in_(ids), Task.state == "open")
                .group_by(Task.incident_id)
            ).all()
        )
    return [Card(r, nearest.get(r.id), tasks.get(r.id, 0)) for r in rows]


def open_count(session: Session, drill: bool = False) -> int:
    return session.execute(
        select(func.count())
        .select_from(Incident)
        .where(Incident.drill.is_(drill), Incident.state.in_(OPEN))
    ).scalar_one()


def entries(session: Session, incident_id: int) -> list[IncidentEntry]:
    return list(
        session.execute(
            select(IncidentEntry)
            .where(IncidentEntry.incident_id == incident_id)
            .order_by(IncidentEntry.at, IncidentEntry.id)
        ).scalars()
    )


def missed_count(session: Session, incident_id: int) -> int:
    """Deadlines breached (the plan's deadline_missed escalation counts them)."""
    return session.execute(
        select(func.count())
        .select_from(Deadline)
        .where(Deadline.incident_id == incident_id, Deadline.state == "breached")
    ).scalar_one()


def deadlines(session: Session, incident_id: int) -> list[Deadline]:
    return list(
        session.execute(
            select(Deadline)
            .where(Deadline.incident_id == incident_id)
            .order_by(Deadline.state == "superseded", Deadline.due_at)
        ).scalars()
    )


def actions(session: Session, incident_id: int) -> list[RequiredAction]:
    return list(
        session.execute(
            select(RequiredAction)
            .where(RequiredAction.incident_id == incident_id)
            .order_by(RequiredAction.id)
        ).scalars()
    )


def tasks(session: Session, incident_id: int, who: Principal) -> list[Task]:
    stmt = select(Task).where(Task.incident_id == incident_id).order_by(Task.id)
    if not sees_all(who):
        stmt = stmt.where(
            or_(Task.department_id == who.department_id, Task.assignee == who.username)
        )
    return list(session.execute(stmt).scalars())


def may_answer(task: Task, who: Principal) -> bool:
    """The department's handlers and the person named answer a task; the office may too."""
    mine = task.department_id == who.department_id or task.assignee == who.username
    return mine or who.can(Permission.INCIDENTS_MANAGE)


def visible_task(session: Session, task_id: int, who: Principal) -> Task | None:
    task = session.get(Task, task_id)
    if task is None or visible(session, task.incident_id, who) is None:
        return None
    return task


def my_tasks(session: Session, who: Principal, done: bool = False) -> list[tuple[Task, Incident]]:
    """The caller's department's tasks and those given to the caller by name."""
    mine = Task.assignee == who.username
    if who.department_id:
        mine = or_(mine, Task.department_id == who.department_id)
    return [
        (t, i)
        for t, i in session.execute(
            select(Task, Incident)
            .join(Incident, Incident.id == Task.incident_id)
            .where(mine, Task.state == ("done" if done else "open"))
            .order_by(Task.due_at.asc().nulls_last(), Task.id)
            .limit(200)
        ).all()
    ]


def department_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Department.id, Department.name)).all())  # type: ignore[arg-type]


@dataclass(frozen=True)
class CaseFilter:
    q: str = ""
    level: int | None = None
    category: str = ""
    department_id: int | None = None
    drill: bool = False


def cases(
    session: Session, f: CaseFilter, who: Principal | None = None, limit: int = 100
) -> list[Incident]:
    """The case library: archived incidents, newest first (within the caller's scope)."""
    stmt = select(Incident).where(Incident.state == "archived", Incident.drill.is_(f.drill))
    if who is not None:
        stmt = _scoped(stmt, who)
    if f.q.strip():
        like = f"%{f.q.strip()}%"
        stmt = stmt.where(or_(Incident.title.ilike(like), Incident.lessons.ilike(like)))
    if f.level:
        stmt = stmt.where(Incident.peak_level == f.level)
    if f.category:
        stmt = stmt.where(Incident.category == f.category)
    if f.department_id:
        stmt = stmt.where(
            Incident.id.in_(select(Task.incident_id).where(Task.department_id == f.department_id))
        )
    return list(session.execute(stmt.order_by(Incident.archived_at.desc()).limit(limit)).scalars())


def similar_cases(
    session: Session, incident: Incident, limit: int = 5
) -> list[tuple[Incident, int]]:
    """Archived incidents to compare with: shared event keywords, the same category, the same
    level — each counts; the best first."""
    archived = [
        c
        for c in cases(session, CaseFilter(drill=incident.drill), limit=500)
        if c.id != incident.id
    ]
    events = [i for i in [incident.event_id, *(c.event_id for c in archived)] if i is not None]
    keywords = keywords_of(session, events)
    words = set(keywords.get(incident.event_id, ())) if incident.event_id else set()
    scored = []
    for case in archived:
        score = len(words & set(keywords.get(case.event_id, ()))) if case.event_id else 0
        score += 2 * bool(incident.category and case.category == incident.category)
        score += int(incident.level is not None and case.peak_level == incident.level)
        if score:
            scored.append((case, score))
    scored.sort(key=lambda cs: -cs[1])
    return scored[:limit]


def next_due(rows: list[Deadline], now: datetime) -> Deadline | None:
    open_rows = [d for d in rows if d.met_at is None and d.state in ("open", "breached")]
    return min(open_rows, key=lambda d: d.due_at, default=None)


@dataclass(frozen=True)
class IncidentFact:
    """An incident as plain data for reports: every time, the deadlines, the result."""

    id: int
    title: str
    level: int | None
    peak_level: int | None
    state: str
    category: str | None
    lead_unit: str
    departments: tuple[str, ...]
    opened_at: datetime
    activated_at: datetime | None
    answered_at: datetime | None
    subsided_at: datetime | None
    archived_at: datetime | None
    first_item_at: datetime | None
    deadlines: tuple[DeadlineFact, ...]
    lessons: str | None
    review: dict[str, Any] | None
    event_id: int | None
    drill: bool = False


def incident_facts(session: Session, rows: list[Incident]) -> list[IncidentFact]:
    names = department_names(session)
    ids = [r.id for r in rows]
    by_incident: dict[int, list[DeadlineFact]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        for d in session.execute(
            select(Deadline)
            .where(Deadline.incident_id.in_(ids[start : start + 500]))
            .order_by(Deadline.due_at)
        ).scalars():
            by_incident[d.incident_id].append(
                DeadlineFact(
                    d.label, d.owner, d.due_at, d.met_at, d.breached_at, d.state == "superseded"
                )
            )
    return [
        IncidentFact(
            r.id,
            r.title,
            r.level,
            r.peak_level,
            r.state,
            r.category,
            r.lead_unit,
            tuple(names.get(d, str(d)) for d in r.departments),
            r.opened_at,
            r.activated_at,
            r.answered_at,
            r.subsided_at,
            r.archived_at,
            r.first_item_at,
            tuple(by_incident[r.id]),
            r.lessons,
            r.review,
            r.event_id,
        )
        for r in rows
    ]


def incidents_in_period(
    session: Session, start: datetime, end: datetime, drill: bool
) -> list[IncidentFact]:
    """Incidents open at some moment of [start, end), the most severe first."""
    rows = list(
        session.execute(
            select(Incident)
            .where(
                Incident.drill.is_(drill),
                Incident.opened_at < end,
                or_(Incident.archived_at.is_(None), Incident.archived_at >= start),
            )
            .order_by(Incident.level.asc().nulls_last(), Incident.opened_at)
        ).scalars()
    )
    return incident_facts(session, rows)


def incident_fact(session: Session, incident_id: int) -> IncidentFact | None:
    row = session.get(Incident, incident_id)
    return incident_facts(session, [row])[0] if row else None


def open_or_latest(session: Session, event_id: int) -> IncidentFact | None:
    """The event's incident: the open one, else the latest."""
    row = (
        session.execute(
            select(Incident).where(Incident.event_id == event_id).order_by(Incident.id.desc())
        )
        .scalars()
        .first()
    )
    return incident_facts(session, [row])[0] if row else None


@dataclass(frozen=True)
class TaskFact:
    title: str
    department: str
    due_at: datetime | None
    done_at: datetime | None
    result: str | None


def task_facts(session: Session, incident_id: int) -> list[TaskFact]:
    names = department_names(session)
    return [
        TaskFact(
            t.title,
            names.get(t.department_id, "") if t.department_id else (t.assignee or ""),
            t.due_at,
            t.done_at,
            t.result,
        )
        for t in session.execute(
            select(Task).where(Task.incident_id == incident_id).order_by(Task.id)
        ).scalars()
    ]


def opening_reason(session: Session, incident_id: int) -> str:
    """Why it was opened (the first timeline entry), e.g. the warning's level and reasons."""
    first = (
        session.execute(
            select(IncidentEntry.text)
            .where(IncidentEntry.incident_id == incident_id, IncidentEntry.kind == "open")
            .order_by(IncidentEntry.id)
        )
        .scalars()
        .first()
    )
    return first or "—"


def action_texts(session: Session, incident_id: int) -> list[str]:
    """The required actions, marked when done."""
    return [f"{a.text}（已落实）" if a.done_at else a.text for a in actions(session, incident_id)]


def opened_since(session: Session, since: datetime) -> list[tuple[int, bool]]:
    """(id, drill) of incidents opened since a moment (the flash report drafter reads it)."""
    return [
        (i, d)
        for i, d in session.execute(
            select(Incident.id, Incident.drill).where(Incident.opened_at >= since)
        ).all()
    ]


def kept_by_incidents(
    session: Session, event_ids: list[int], item_ids: list[int]
) -> tuple[set[int], set[int]]:
    """(events, items) an incident was opened from; retention keeps them for ever."""
    events = session.execute(select(Incident.event_id).where(Incident.event_id.in_(event_ids)))
    items = session.execute(select(Incident.item_id).where(Incident.item_id.in_(item_ids)))
    return set(events.scalars()), set(items.scalars())
