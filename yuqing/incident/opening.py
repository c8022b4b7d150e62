"""Opening an incident — from a warning at or above the plan's level, or by hand — and changing
its level. Either way the level's deadlines and required actions come from the plan version in
force, and every change is explained on the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor
from yuqing.events.queries import event_facts
from yuqing.incident.deadlines import plan_deadlines
from yuqing.incident.states import CLOSED
from yuqing.incident.tables import Deadline, Incident, RequiredAction
from yuqing.incident.timeline import IncidentError, note
from yuqing.notify.outbox import enqueue_notice
from yuqing.plan import versions
from yuqing.plan.loader import Plan
from yuqing.plan.schema import ROMAN
from yuqing.store.bulk import insert_rows

SYSTEM = Actor("yuqing", "system")


@dataclass(frozen=True)
class Opening:
    """What an incident starts from."""

    title: str
    level: int | None
    reason: str
    event_id: int | None = None
    item_id: int | None = None
    warning_id: int | None = None
    first_item_at: datetime | None = None
    drill: bool = False


def level_name(level: int | None) -> str:
    return f"{ROMAN[level]}级" if level else "未定级"


def plan_of(session: Session, incident: Incident) -> Plan | None:
    found = versions.get(session, incident.plan_version_id) if incident.plan_version_id else None
    return found.plan if found else None


def open_for_event(session: Session, event_id: int) -> Incident | None:
    """The event's incident that is not yet closed, if any."""
    return open_for_events(session, [event_id]).get(event_id)


def open_for_events(session: Session, event_ids: list[int]) -> dict[int, Incident]:
    """Each event's latest incident that is not yet closed."""
    out: dict[int, Incident] = {}
    for start in range(0, len(event_ids), 500):
        rows = session.execute(
            select(Incident)
            .where(Incident.event_id.in_(event_ids[start : start + 500]))
            .where(Incident.state.not_in(CLOSED))
            .order_by(Incident.id)
        ).scalars()
        out.update((i.event_id, i) for i in rows if i.event_id is not None)
    return out


def open_incident(
    session: Session, opening: Opening, actor: Actor, now: datetime, announce: bool = True
) -> Incident:
    """`announce` False when the warning that opened it already tells the same people."""
    active = versions.active(session)
    incident = new_incident(opening, active, actor, now)
    session.add(incident)
    session.flush()
    started(session, incident, opening, active.plan if active else None, actor, now, announce)
    return incident


def new_incident(
    opening: Opening, active: versions.Versioned | None, actor: Actor, now: datetime
) -> Incident:
    """The incident row, under the plan version in force; `started` follows once it has an id."""
    plan = active.plan if active else None
    level = opening.level
    if level is not None and (plan is None or not 1 <= level <= plan.least):
        raise IncidentError(f"预案没有 {level} 级 / the plan has no level {level}")
    return Incident(
        drill=opening.drill,
        event_id=opening.event_id,
        item_id=opening.item_id,
        warning_id=opening.warning_id,
        title=opening.title[:500],
        state="detected",
        level=level,
        peak_level=level,
        plan_version_id=active.id if active else None,
        lead_unit=plan.level(level).spec.lead_unit if plan and level else "",
        departments=[],
        handlers=[],
        first_item_at=opening.first_item_at,
        opened_at=now,
        opened_by=actor.name,
        updated_at=now,
    )


def started(
    session: Session,
    incident: Incident,
    opening: Opening,
    plan: Plan | None,
    actor: Actor,
    now: datetime,
    announce: bool,
) -> None:
    """The opening on the timeline, the level's deadlines and actions, and the notice."""
    level = opening.level
    note(
        session,
        incident,
        "open",
        actor,
        f"开启处置（{level_name(level)}）：{opening.reason}",
        now,
        {"level": level},
        "incident.open",
    )
    if plan is not None and level is not None:
        _add_level(session, incident, plan, level, now)
    if plan is not None and announce:
        enqueue_notice(
            session,
            list(plan.spec.notices.incident_opened),
            [],
            f"incident:{incident.id}:open",
            f"{level_name(level)}处置已开启：{incident.title[:40]}",
            [f"原因：{opening.reason}", f"牵头单位：{incident.lead_unit or '—'}"],
            f"/incidents/{incident.id}",
            now,
            incident.drill,
        )


def open_by_hand(
    session: Session,
    title: str,
    level: int | None,
    reason: str,
    event_id: int | None,
    item_id: int | None,
    actor: Actor,
    now: datetime,
) -> Incident:
    """Opened by a person, from an event (the open incident if it has one) or from something
    reported with a title (an item, a phone call, a letter)."""
    facts = None
    if event_id is not None:
        facts = event_facts(session, event_id)
        if facts is None:
            raise IncidentError("没有这个事件 / no such event")
        current = open_for_event(session, event_id)
        if current is not None:
            return current
    if len(reason.strip()) < 4:
        raise IncidentError("请写明开启处置的理由 / say why")
    title = title.strip() or (facts.title if facts else "")
    if not title:
        raise IncidentError("请写明标题或选择事件 / give a title or an event")
    opening = Opening(
        title=title,
        level=level,
        reason=reason.strip(),
        event_id=event_id,
        item_id=item_id,
        first_item_at=facts.first_at if facts else None,
        drill=facts.drill if facts else False,
    )
    return open_incident(session, opening, actor, now)


def _apply_level(
    session: Session, incident: Incident, plan: Plan, level: int, now: datetime
) -> None:
    """A new level for an incident that had one: open deadlines of the old level superseded,
    met and breached ones kept (they are the record), then the new level's deadlines and the
    actions it requires that the incident does not have yet."""
    met = set(
        session.execute(
            select(Deadline.kind).where(
                Deadline.incident_id == incident.id, Deadline.met_at.is_not(None)
            )
        ).scalars()
    )
    for d in session.execute(
        select(Deadline).where(
            Deadline.incident_id == incident.id,
            Deadline.state == "open",
            Deadline.kind != "task",
        )
    ).scalars():
        d.state = "superseded"
    have = set(
        session.execute(
            select(RequiredAction.text).where(RequiredAction.incident_id == incident.id)
        ).scalars()
    )
    _add_level(session, incident, plan, level, now, met, have)


def _add_level(
    session: Session,
    incident: Incident,
    plan: Plan,
    level: int,
    now: datetime,
    met: set[str] | frozenset[str] = frozenset(),
    have: set[str] | frozenset[str] = frozenset(),
) -> None:
    """The level's deadlines from now (but those already `met`) and its required actions (but
    those the incident `have`s). A new incident has neither, and nothing to read: a busy stream
    opens hundreds of incidents in one run of the events stage, so the rows go in as table
    inserts (one ORM object each, flushed one at a time, was a tenth of that run)."""
    spec = plan.level(level)
    deadlines = [
        {
            "incident_id": incident.id,
            "kind": planned.kind,
            "label": planned.label,
            "level": level,
            "owner": spec.spec.lead_unit,
            "rule": planned.rule,
            "starts_at": now,
            "due_at": planned.due_at,
            "state": "open",
        }
        for planned in plan_deadlines(spec, now)
        if planned.kind not in met
    ]
    insert_rows(session, Deadline.__table__, deadlines)
    actions = [
        {"incident_id": incident.id, "text": text, "level": level}
        for text in spec.spec.actions
        if text not in have
    ]
    insert_rows(session, RequiredAction.__table__, actions)


def change_level(
    session: Session, incident: Incident, level: int, reason: str, actor: Actor, now: datetime
) -> None:
    """Any time, with the reason on the timeline; deadlines follow the new level."""
    plan = plan_of(session, incident)
    if plan is None or not 1 <= level <= plan.least:
        raise IncidentError(f"预案没有 {level} 级 / the plan has no level {level}")
    if incident.state == "archived":
        raise IncidentError("已归档的处置不能改级 / an archived incident keeps its level")
    if len(reason.strip()) < 4 and actor.kind != "system":
        raise IncidentError("改级须写明理由 / a written reason is required")
    if level == incident.level:
        return
    before = incident.level
    incident.level = level
    incident.peak_level = min(level, incident.peak_level or level)
    incident.lead_unit = plan.level(level).spec.lead_unit
    note(
        session,
        incident,
        "level",
        actor,
        f"级别 {level_name(before)} → {level_name(level)}：{reason.strip()}"
        "；时限按新级别自现在起重算",
        now,
        {"from": before, "to": level},
        "incident.level",
    )
    _apply_level(session, incident, plan, level, now)
