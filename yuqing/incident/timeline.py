"""Writing to an incident's timeline and the audit log at once, and reading an incident by id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.incident.tables import Incident, IncidentEntry


class IncidentError(ValueError):
    """A request the workflow refuses, with the reason in Chinese and English."""


def get_incident(session: Session, incident_id: int) -> Incident:
    row = session.get(Incident, incident_id)
    if row is None:
        raise IncidentError(f"没有 {incident_id} 号处置 / no incident {incident_id}")
    return row


def note(
    session: Session,
    incident: Incident,
    kind: str,
    actor: Actor,
    text: str,
    now: datetime,
    data: dict[str, Any] | None = None,
    action: str | None = None,
) -> None:
    """One timeline entry; with `action`, the same words in the audit log."""
    session.add(
        IncidentEntry(
            incident_id=incident.id,
            at=now,
            kind=kind,
            actor=actor.name,
            text=text,
            data=data or {},
        )
    )
    incident.updated_at = now
    if action:
        mark = "[演练] " if incident.drill else ""
        record(session, actor, action, "incident", incident.id, summary=f"{mark}{text}"[:500])
