"""The deadline sweeper: warns before a deadline falls due and escalates (督办) when it is
breached. Its state is the deadline rows (warned_at, breached_at), so a restart — or a service
that was down while the clock moved on — picks up every timer where it stood, and a notice is
never sent twice (the outbox key names the deadline)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor
from yuqing.events.admin import note_response
from yuqing.incident.deadlines import remaining, to_local, warn_at
from yuqing.incident.opening import plan_of
from yuqing.incident.queries import missed_count
from yuqing.incident.states import CLOSED
from yuqing.incident.tables import Deadline, Incident
from yuqing.incident.timeline import note
from yuqing.notify.outbox import enqueue_notice
from yuqing.plan.loader import Plan
from yuqing.store.base import utcnow
from yuqing.store.db import Database

SWEEPER = Actor("deadline sweeper", "system")


def sweep_deadlines(session: Session, now: datetime) -> tuple[int, int]:
    """(warned, breached) in this pass."""
    rows = session.execute(
        select(Deadline, Incident)
        .join(Incident, Incident.id == Deadline.incident_id)
        .where(Deadline.state == "open", Incident.state.not_in(CLOSED))
        .order_by(Deadline.due_at)
    ).all()
    warned = breached = 0
    touched: dict[int, Incident] = {}
    plans: dict[int | None, Plan | None] = {}  # an incident's plan, read only for a notice
    for d, incident in rows:
        breach = d.due_at <= now
        if not breach and (d.warned_at is not None or warn_at(d.starts_at, d.due_at) > now):
            continue
        if incident.plan_version_id not in plans:
            plans[incident.plan_version_id] = plan_of(session, incident)
        plan = plans[incident.plan_version_id]
        notices = plan.spec.notices if plan else None
        link = f"/incidents/{incident.id}#deadlines"
        if breach:
            d.state, d.breached_at = "breached", now
            breached += 1
            touched[incident.id] = incident
            note(
                session,
                incident,
                "deadline",
                SWEEPER,
                f"时限「{d.label}」已超时（应于 {to_local(d.due_at):%m-%d %H:%M} 前，"
                f"责任：{d.owner or '—'}）",
                now,
                {"deadline": d.id},
                "incident.deadline_breached",
            )
            enqueue_notice(
                session,
                list(notices.deadline_missed) if notices else ["office", "approver"],
                [],
                f"incident:{incident.id}:deadline:{d.id}:breached",
                f"【督办】超时：{d.label}",
                [f"处置：{incident.title[:40]}", f"责任：{d.owner or '—'}", d.rule],
                link,
                now,
                incident.drill,
            )
        else:
            d.warned_at = now
            warned += 1
            enqueue_notice(
                session,
                list(notices.deadline_near) if notices else ["office"],
                [],
                f"incident:{incident.id}:deadline:{d.id}:near",
                f"【时限将至】{d.label}：{remaining(d.due_at, now)}",
                [
                    f"处置：{incident.title[:40]}",
                    f"责任：{d.owner or '—'}",
                    f"截止：{to_local(d.due_at):%m-%d %H:%M}",
                ],
                link,
                now,
                incident.drill,
            )
    for incident in touched.values():
        if incident.event_id is not None:
            note_response(session, incident.event_id, None, missed_count(session, incident.id))
    return warned, breached


def sweep(db: Database, now: datetime | None = None) -> tuple[int, int]:
    with db.write() as session:
        return sweep_deadlines(session, now or utcnow())
