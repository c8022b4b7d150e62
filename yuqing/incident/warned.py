"""Incidents opened or raised by warning steps. A run of the events stage may take hundreds of
steps at once (a busy stream, an import), so they are read and written together: one query for
the events' open incidents, one flush for the new incidents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from yuqing.events.queries import EventFacts
from yuqing.incident.opening import (
    SYSTEM,
    Opening,
    change_level,
    level_name,
    new_incident,
    open_for_events,
    started,
)
from yuqing.incident.tables import Incident
from yuqing.plan import versions
from yuqing.plan.loader import Plan

RAISING = ("issued", "raised", "confirmed")


@dataclass(frozen=True)
class WarningTrigger:
    """A warning step, as plain data from the warning stage."""

    event_id: int
    warning_id: int
    level: int | None
    action: str
    predicted: bool
    reasons: tuple[str, ...]
    drill: bool


def on_warnings(
    session: Session,
    plan: Plan | None,
    triggers: list[WarningTrigger],
    facts: Mapping[int, EventFacts],
    now: datetime,
) -> list[int | None]:
    """For each step, the incident its message links to, if any. A graded (not merely
    forecast) warning at or above the plan's `incident_at` opens an incident, titled from its
    event's `facts`; a more severe one raises the open incident's level."""
    current = open_for_events(session, sorted({t.event_id for t in triggers}))
    opening = any(_opens(plan, t) and t.event_id not in current for t in triggers)
    active = versions.active(session) if opening else None
    fresh: list[tuple[Incident, Opening]] = []

    def start() -> None:
        session.flush()
        for incident, why in fresh:
            started(session, incident, why, active.plan if active else None, SYSTEM, now, False)
        fresh.clear()

    out: list[Incident | None] = []
    for t in triggers:
        incident = current.get(t.event_id)
        why = "；".join(t.reasons[:3])
        if incident is not None and t.level is not None and _graded(plan, t):
            if incident.level is None or t.level < incident.level:
                if incident.id is None:
                    start()
                change_level(session, incident, t.level, f"预警升级：{why}", SYSTEM, now)
        elif incident is None and _opens(plan, t):
            assert plan is not None
            found = facts.get(t.event_id)
            at = plan.spec.warnings.incident_at
            why_open = Opening(
                title=found.title if found else f"事件 {t.event_id}",
                level=t.level,
                reason=f"{level_name(t.level)}预警（≥ 预案规定的 {level_name(at)}）：{why}",
                event_id=t.event_id,
                warning_id=t.warning_id,
                first_item_at=found.first_at if found else None,
                drill=t.drill,
            )
            incident = new_incident(why_open, active, SYSTEM, now)
            session.add(incident)
            fresh.append((incident, why_open))
            current[t.event_id] = incident
        out.append(incident)
    if fresh:
        start()
    return [i.id if i is not None else None for i in out]


def _graded(plan: Plan | None, t: WarningTrigger) -> bool:
    """A graded warning (not a forecast) issued or made more severe."""
    return plan is not None and t.level is not None and not t.predicted and t.action in RAISING


def _opens(plan: Plan | None, t: WarningTrigger) -> bool:
    """A graded warning at or above the plan's `incident_at` (level Ⅰ is the most severe)."""
    if plan is None or t.level is None or not _graded(plan, t):
        return False
    return t.level <= plan.spec.warnings.incident_at
