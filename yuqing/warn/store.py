"""Persisting warning steps: the warning row, its step, its incident, messages and audit entry,
in one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.events.queries import facts_of
from yuqing.incident.warned import WarningTrigger, on_warnings
from yuqing.notify.messages import WarningNote
from yuqing.notify.outbox import enqueue_warnings
from yuqing.plan.grade import level_name
from yuqing.plan.loader import Plan
from yuqing.store.base import utcnow
from yuqing.warn.lifecycle import Step
from yuqing.warn.queries import active_warnings
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
    return record_steps(
        session, [(event_id, step)], plan, plan_version_id, now, drill, actor, note
    )[0]


def record_steps(
    session: Session,
    steps: list[tuple[int, Step]],
    plan: Plan | None,
    plan_version_id: int | None,
    now: datetime,
    drill: bool,
    actor: Actor,
    note: str | None = None,
) -> list[Warning_]:
    """Each (event, step): the warning it issues or changes, the step on its history, the
    incident it opens or raises, its messages and its audit entry. A busy run of the events
    stage takes hundreds of steps, so they are written together: a few statements per run,
    not a dozen per step."""
    current = {
        w.event_id: w for w in active_warnings(session, event_ids=sorted({e for e, _ in steps}))
    }
    warnings: list[Warning_] = []
    for event_id, step in steps:
        warning = current.get(event_id)
        if warning is None:
            warning = _issue(event_id, step, plan, plan_version_id, now, drill)
            session.add(warning)
        else:
            _change(warning, step, plan, plan_version_id, now, actor)
        if warning.state == "lifted":
            current.pop(event_id, None)
        else:
            current[event_id] = warning
        warnings.append(warning)
    session.flush()
    rows = [
        WarningStep(
            warning_id=warning.id,
            at=now,
            action=step.action,
            level=step.level,
            predicted=step.predicted,
            reasons=list(step.reasons),
            measures=measures(plan, step.level),
            actor=actor.name,
            note=note,
        )
        for warning, (_, step) in zip(warnings, steps, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    # A drill plays a recorded stream on its own clock, but its incident and messages are today's.
    at = utcnow() if drill else now
    triggers = [
        WarningTrigger(e, w.id, s.level, s.action, s.predicted, s.reasons, drill)
        for w, (e, s) in zip(warnings, steps, strict=True)
    ]
    facts = facts_of(session, sorted({e for e, _ in steps}))
    incidents = on_warnings(session, plan, triggers, facts, at)
    notes: list[tuple[int, WarningNote]] = []
    for row, warning, (event_id, step), incident in zip(
        rows, warnings, steps, incidents, strict=True
    ):
        found = facts.get(event_id)
        level = step.level if step.level is not None else warning.level
        message = WarningNote(
            event_id,
            found.title if found else f"事件 {event_id}",
            step.action,
            level,
            step.predicted,
            step.reasons,
            found.items if found else 0,
            drill,
            incident,
        )
        notes.append((row.id, message))
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
    enqueue_warnings(session, notes, plan, at)
    return warnings


def _issue(
    event_id: int,
    step: Step,
    plan: Plan | None,
    plan_version_id: int | None,
    now: datetime,
    drill: bool,
) -> Warning_:
    assert step.level is not None
    return Warning_(
        event_id=event_id,
        drill=drill,
        state="active",
        level=step.level,
        predicted=step.predicted,
        predicted_for=step.predicted_for,
        reasons=list(step.reasons),
        measures=measures(plan, step.level),
        plan_version_id=plan_version_id,
        issued_at=now,
        updated_at=now,
    )


def _change(
    warning: Warning_,
    step: Step,
    plan: Plan | None,
    plan_version_id: int | None,
    now: datetime,
    actor: Actor,
) -> None:
    if step.action == "lifted":
        warning.state, warning.lifted_at, warning.lifted_by = "lifted", now, actor.name
    else:
        assert step.level is not None
        warning.level = step.level
        warning.measures = measures(plan, step.level)
    warning.predicted = step.predicted
    warning.predicted_for = step.predicted_for
    warning.reasons = list(step.reasons)
    warning.updated_at = now
    if plan_version_id is not None:
        warning.plan_version_id = plan_version_id
