"""Persisting warning steps: the warning row, its step, and the audit entry, in one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.events.queries import event_summary
from yuqing.incident.opening import WarningTrigger, on_warning
from yuqing.notify.messages import WarningNote
from yuqing.notify.outbox import enqueue_warning
from yuqing.plan.grade import level_name
from yuqing.plan.loader import Plan
from yuqing.store.base import utcnow
from yuqing.warn.lifecycle import Step
from yuqing.warn.queries import active_for
from yuqing.warn.tables import Warning_, WarningStep


def measures(plan: Plan | None, level: int | None) -> list[str]:
    if plan is None or level is None or level > plan.least:
        return []
    return list(plan.level(level).spec.actions)


def record_step(
    session: Session,
    event_id: int,
    step: Step,
    plan: Plan | None,
    plan_version_id: int | None,
    now: datetime,
    drill: bool,
    actor: Actor,
    note: str | None = None,
) -> Warning_:
    todo = measures(plan, step.level)
    warning = active_for(session, event_id)
    if warning is None:
        assert step.level is not None
        warning = Warning_(
            event_id=event_id,
            drill=drill,
            state="active",
            level=step.level,
            predicted=step.predicted,
            predicted_for=step.predicted_for,
            reasons=list(step.reasons),
            measures=todo,
            plan_version_id=plan_version_id,
            issued_at=now,
            updated_at=now,
        )
        session.add(warning)
        session.flush()
    else:
        if step.action == "lifted":
            warning.state, warning.lifted_at, warning.lifted_by = "lifted", now, actor.name
        else:
            assert step.level is not None
            warning.level = step.level
            warning.measures = todo
        warning.predicted = step.predicted
        warning.predicted_for = step.predicted_for
        warning.reasons = list(step.reasons)
        warning.updated_at = now
        if plan_version_id is not None:
            warning.plan_version_id = plan_version_id
    row = WarningStep(
        warning_id=warning.id,
        at=now,
        action=step.action,
        level=step.level,
        predicted=step.predicted,
        reasons=list(step.reasons),
        measures=todo,
        actor=actor.name,
        note=note,
    )
    session.add(row)
    session.flush()
    title, items = event_summary(session, event_id)
    level = step.level if step.level is not None else warning.level
    # A drill plays a recorded stream on its own clock, but its incident and messages are today's.
    at = utcnow() if drill else now
    trigger = WarningTrigger(
        event_id, warning.id, step.level, step.action, step.predicted, step.reasons, drill
    )
    incident = on_warning(session, plan, trigger, at)
    message = WarningNote(
        event_id, title, step.action, level, step.predicted, step.reasons, items, drill, incident
    )
    enqueue_warning(session, row.id, message, plan, at)
    kind = "预警(预测)" if step.predicted else "预警"
    record(
        session,
        actor,
        f"warning.{step.action}",
        "warning",
        warning.id,
        summary=f"{'[演练] ' if drill else ''}事件 {event_id} {kind} {step.action} "
        f"{level_name(plan, step.level)}: {'; '.join(step.reasons)}"[:1000],
        after={"level": step.level, "predicted": step.predicted, "event_id": event_id},
    )
    return warning
