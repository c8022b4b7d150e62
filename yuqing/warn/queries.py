"""Reading warnings: the active ones and an event's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.warn.tables import Warning_, WarningStep


def active_warnings(
    session: Session, drill: bool | None = None, event_ids: list[int] | None = None
) -> list[Warning_]:
    stmt = select(Warning_).where(Warning_.state == "active")
    if event_ids is not None:
        stmt = stmt.where(Warning_.event_id.in_(event_ids))
    if drill is not None:
        stmt = stmt.where(Warning_.drill.is_(drill))
    return list(
        session.execute(stmt.order_by(Warning_.level, Warning_.updated_at.desc())).scalars()
    )


def active_for(session: Session, event_id: int) -> Warning_ | None:
    return session.execute(
        select(Warning_).where(Warning_.event_id == event_id, Warning_.state == "active")
    ).scalar_one_or_none()


def steps_of_event(session: Session, event_id: int) -> list[tuple[Warning_, WarningStep]]:
    rows = session.execute(
        select(Warning_, WarningStep)
        .join(WarningStep, WarningStep.warning_id == Warning_.id)
        .where(Warning_.event_id == event_id)
        .order_by(WarningStep.at, WarningStep.id)
    ).all()
    return [(w, s) for w, s in rows]


def levels_of_steps(session: Session, step_ids: list[int]) -> dict[int, int | None]:
    """The level each warning step announced (for acknowledgement figures)."""
    out: dict[int, int | None] = {}
    for start in range(0, len(step_ids), 500):
        chunk = step_ids[start : start + 500]
        out.update(
            session.execute(  # type: ignore[arg-type]
                select(WarningStep.id, WarningStep.level).where(WarningStep.id.in_(chunk))
            ).all()
        )
    return out


def event_of_step(session: Session, step_id: int) -> int | None:
    """The event a warning step was about (a message links back to it)."""
    return session.execute(
        select(Warning_.event_id)
        .join(WarningStep, WarningStep.warning_id == Warning_.id)
        .where(WarningStep.id == step_id)
    ).scalar()


@dataclass(frozen=True)
class StepFact:
    """A warning step as plain data (for reports)."""

    warning_id: int
    event_id: int
    at: datetime
    action: str
    level: int | None
    predicted: bool
    reasons: tuple[str, ...]
    in_force: bool  # the warning is still active


def steps_in_period(
    session: Session, start: datetime, end: datetime, drill: bool
) -> list[StepFact]:
    rows = session.execute(
        select(Warning_, WarningStep)
        .join(WarningStep, WarningStep.warning_id == Warning_.id)
        .where(Warning_.drill.is_(drill), WarningStep.at >= start, WarningStep.at < end)
        .order_by(WarningStep.at, WarningStep.id)
    ).all()
    return [
        StepFact(
            w.id,
            w.event_id,
            s.at,
            s.action,
            s.level,
            s.predicted,
            tuple(s.reasons),
            w.state == "active",
        )
        for w, s in rows
    ]


def warned_events(session: Session, event_ids: list[int]) -> set[int]:
    """Events that ever had a warning, in any state (retention keeps them)."""
    rows = session.execute(select(Warning_.event_id).where(Warning_.event_id.in_(event_ids)))
    return set(rows.scalars())
