"""Moving an incident through its states, and the review (总结评估) that closing requires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor
from yuqing.events.queries import buckets_of, event_facts
from yuqing.incident.review import DeadlineFact, ReviewFacts, effect_of_answer, review_figures
from yuqing.incident.states import STATES, MoveContext, MoveRefused, check_move
from yuqing.incident.tables import Deadline, Incident, Statement
from yuqing.incident.timeline import IncidentError, note
from yuqing.incident.work import meet


def move_to(
    session: Session,
    incident: Incident,
    target: str,
    actor: Actor,
    now: datetime,
    approver: bool,
    note_text: str = "",
) -> None:
    published = (
        session.execute(
            select(Statement.id).where(
                Statement.incident_id == incident.id, Statement.state == "published"
            )
        ).first()
        is not None
    )
    ctx = MoveContext(approver, published, bool(incident.review and incident.lessons))
    try:
        check_move(incident.state, target, ctx)
    except MoveRefused as exc:
        raise IncidentError(str(exc)) from exc
    before = incident.state
    incident.state = target
    if target == "responding" and incident.activated_at is None:
        incident.activated_at = now
    if target == "subsided":
        incident.subsided_at = now
        meet(session, incident, "resolve", actor, now)
    if target == "archived":
        incident.archived_at = now
    why = f"：{note_text.strip()}" if note_text.strip() else ""
    note(
        session,
        incident,
        "state",
        actor,
        f"{STATES[before]} → {STATES[target]}{why}",
        now,
        {"from": before, "to": target},
        "incident.state",
    )


def review_facts(session: Session, incident: Incident, now: datetime) -> ReviewFacts:
    deadlines = list(
        session.execute(
            select(Deadline).where(Deadline.incident_id == incident.id).order_by(Deadline.due_at)
        ).scalars()
    )
    reported = [d.met_at for d in deadlines if d.kind == "report" and d.met_at]
    facts = event_facts(session, incident.event_id) if incident.event_id else None
    effect = None
    if incident.event_id and incident.answered_at:
        effect = effect_of_answer(buckets_of(session, incident.event_id), incident.answered_at, now)
    return ReviewFacts(
        first_item_at=incident.first_item_at,
        opened_at=incident.opened_at,
        reported_at=min(reported) if reported else None,
        answered_at=incident.answered_at,
        subsided_at=incident.subsided_at,
        peak_level=incident.peak_level,
        peak_heat=facts.heat if facts else None,
        deadlines=[
            DeadlineFact(
                d.label, d.owner, d.due_at, d.met_at, d.breached_at, d.state == "superseded"
            )
            for d in deadlines
        ],
        effect=effect,
    )


def write_review(
    session: Session, incident: Incident, lessons: str, actor: Actor, now: datetime
) -> None:
    """Figures computed from the record, lessons written by people; written while reviewing."""
    if incident.state != "reviewing":
        raise IncidentError("请先将处置转入「总结评估」/ move it to reviewing first")
    if len(lessons.strip()) < 10:
        raise IncidentError("经验教训至少 10 字 / write the lessons (10 characters or more)")
    incident.review = review_figures(review_facts(session, incident, now))
    incident.lessons, incident.reviewed_by = lessons.strip(), actor.name
    note(
        session,
        incident,
        "review",
        actor,
        f"完成总结评估：按时 {incident.review['deadlines_met']} 项，超时完成 "
        f"{incident.review['deadlines_late']} 项，未完成 {incident.review['deadlines_missed']} 项",
        now,
        {},
        "incident.review",
    )
