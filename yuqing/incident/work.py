"""分转交办: tasks to departments (谁主管谁负责) with due times, the plan's required actions, and
deadlines met — by hand, or by the step that fulfils them (a task given meets 转交涉事部门)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.access.accounts import department_members
from yuqing.access.tables import Department
from yuqing.audit.log import Actor
from yuqing.incident.deadlines import to_local
from yuqing.incident.opening import plan_of
from yuqing.incident.tables import Deadline, Incident, RequiredAction, Task
from yuqing.incident.timeline import IncidentError, note
from yuqing.notify.outbox import enqueue_notice

TASK_KINDS: dict[str, str] = {
    "verify": "核实情况",
    "fix": "网下处置（治本）",
    "draft": "起草回应",
    "report": "报告结果",
    "other": "其他",
}


def add_task(
    session: Session,
    incident: Incident,
    kind: str,
    title: str,
    department_id: int | None,
    assignee: str | None,
    due_at: datetime | None,
    actor: Actor,
    now: datetime,
) -> Task:
    if incident.state in ("reviewing", "archived"):
        raise IncidentError("处置已结束，不能再交办 / the incident is closed")
    if kind not in TASK_KINDS:
        raise IncidentError(f"任务类型须为 {', '.join(TASK_KINDS)} / unknown task kind")
    if department_id is None and not assignee:
        raise IncidentError("请指定承办部门或承办人 / name a department or a person")
    department = session.get(Department, department_id) if department_id else None
    if department_id and department is None:
        raise IncidentError("没有这个部门 / no such department")
    if due_at is not None and due_at <= now:
        raise IncidentError("办理时限须晚于现在 / the due time must be in the future")
    task = Task(
        incident_id=incident.id,
        kind=kind,
        title=(title.strip() or TASK_KINDS[kind])[:500],
        department_id=department_id,
        assignee=assignee or None,
        due_at=due_at,
        state="open",
        created_at=now,
        created_by=actor.name,
    )
    session.add(task)
    session.flush()
    owner = department.name if department else (assignee or "")
    if department_id and department_id not in incident.departments:
        incident.departments = [*incident.departments, department_id]
    if assignee and assignee not in incident.handlers:
        incident.handlers = [*incident.handlers, assignee]
    if due_at is not None:
        session.add(
            Deadline(
                incident_id=incident.id,
                kind="task",
                label=f"任务：{task.title[:80]}",
                task_id=task.id,
                owner=owner,
                rule=f"交办时指定：{to_local(due_at):%m-%d %H:%M} 前",
                starts_at=now,
                due_at=due_at,
                state="open",
            )
        )
    due_text = f"，{to_local(due_at):%m-%d %H:%M} 前办结" if due_at else ""
    note(
        session,
        incident,
        "task",
        actor,
        f"交办「{task.title}」给 {owner}{due_text}",
        now,
        {"task": task.id},
        "incident.task",
    )
    meet(session, incident, "forward", actor, now)
    plan = plan_of(session, incident)
    people = department_members(session, department_id, "handler") if department_id else []
    if assignee:
        people.append(assignee)
    enqueue_notice(
        session,
        list(plan.spec.notices.task_assigned) if plan else ["office"],
        people,
        f"incident:{incident.id}:task:{task.id}",
        f"【交办】{task.title[:30]}",
        [f"处置：{incident.title[:40]}", f"承办：{owner}{due_text}"],
        "/tasks",
        now,
        incident.drill,
    )
    return task


def finish_task(
    session: Session, task: Task, result: str, actor: Actor, now: datetime, allowed: bool
) -> None:
    """A task answered with its result (who may answer is decided by the caller: the
    department's handler, the assignee or the office)."""
    if not allowed:
        raise IncidentError("只能办理本部门的任务 / only your department's tasks")
    if task.state == "done":
        raise IncidentError("任务已办结 / the task is done")
    if len(result.strip()) < 2:
        raise IncidentError("请写明办理结果 / write what was done")
    task.state, task.done_at, task.done_by, task.result = "done", now, actor.name, result.strip()
    for d in session.execute(
        select(Deadline).where(Deadline.task_id == task.id, Deadline.met_at.is_(None))
    ).scalars():
        _met(d, actor, now)
    incident = session.get(Incident, task.incident_id)
    assert incident is not None
    note(
        session,
        incident,
        "task",
        actor,
        f"办结「{task.title}」：{task.result[:200]}",
        now,
        {"task": task.id},
        "incident.task_done",
    )


def _met(d: Deadline, actor: Actor, now: datetime) -> None:
    d.met_at, d.met_by = now, actor.name
    if d.state == "open":
        d.state = "met"


def meet(session: Session, incident: Incident, kind: str, actor: Actor, now: datetime) -> bool:
    """Mark the incident's unmet deadlines of `kind` met (the step that fulfils them happened)."""
    found = False
    for d in session.execute(
        select(Deadline).where(
            Deadline.incident_id == incident.id,
            Deadline.kind == kind,
            Deadline.met_at.is_(None),
            Deadline.state != "superseded",
        )
    ).scalars():
        _met(d, actor, now)
        late = "（超时完成）" if now > d.due_at else ""
        note(session, incident, "deadline", actor, f"时限「{d.label}」已完成{late}", now)
        found = True
    return found


def meet_by_hand(
    session: Session, deadline: Deadline, text: str, actor: Actor, now: datetime
) -> None:
    """A deadline met by something the system cannot see (a phone report, a meeting held)."""
    if deadline.met_at is not None or deadline.state == "superseded":
        raise IncidentError("该时限已完成或已被新级别取代 / already met or superseded")
    incident = session.get(Incident, deadline.incident_id)
    assert incident is not None
    _met(deadline, actor, now)
    late = "（超时完成）" if now > deadline.due_at else ""
    note(
        session,
        incident,
        "deadline",
        actor,
        f"时限「{deadline.label}」已完成{late}：{text.strip() or '—'}",
        now,
        {"deadline": deadline.id},
        "incident.deadline_met",
    )
    if deadline.kind != "task":  # the same duty under an earlier level is fulfilled too
        meet(session, incident, deadline.kind, actor, now)


def tick_action(
    session: Session, action: RequiredAction, text: str, actor: Actor, now: datetime
) -> None:
    if action.done_at is not None:
        raise IncidentError("该措施已落实 / already done")
    incident = session.get(Incident, action.incident_id)
    assert incident is not None
    action.done_at, action.done_by, action.note = now, actor.name, text.strip() or None
    note(
        session,
        incident,
        "action",
        actor,
        f"落实措施「{action.text}」{('：' + text.strip()) if text.strip() else ''}",
        now,
        {"action": action.id},
        "incident.action",
    )
