"""Reading events for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, nulls_last, select
from sqlalchemy.orm import Session

from yuqing.events.tables import Event, EventBucket, EventItem


@dataclass(frozen=True)
class EventFilter:
    drill: bool = False
    level: int | None = None
    graded_only: bool = False
    min_items: int = 1
    status: str = "open"


def list_events(session: Session, f: EventFilter, limit: int = 100) -> list[Event]:
    stmt: Select[tuple[Event]] = select(Event).where(
        Event.drill.is_(f.drill), Event.status == f.status, Event.items >= f.min_items
    )
    if f.level is not None:
        stmt = stmt.where(Event.level == f.level)
    elif f.graded_only:
        stmt = stmt.where(Event.level.is_not(None))
    stmt = stmt.order_by(nulls_last(Event.level.asc()), Event.heat.desc(), Event.id.desc())
    return list(session.execute(stmt.limit(limit)).scalars())


def timeline(session: Session, event_id: int) -> list[EventBucket]:
    return list(
        session.execute(
            select(EventBucket).where(EventBucket.event_id == event_id).order_by(EventBucket.start)
        ).scalars()
    )


def members(session: Session, event_id: int, limit: int = 50) -> list[EventItem]:
    """The event's items, newest first (the first item is always included)."""
    rows = list(
        session.execute(
            select(EventItem)
            .where(EventItem.event_id == event_id)
            .order_by(EventItem.item_id.desc())
            .limit(limit)
        ).scalars()
    )
    first = session.execute(
        select(EventItem).where(EventItem.event_id == event_id).order_by(EventItem.item_id)
    ).scalar()
    if first is not None and all(r.item_id != first.item_id for r in rows):
        rows.append(first)
    return rows


def member_count(session: Session, event_id: int) -> int:
    return session.execute(
        select(func.count()).select_from(EventItem).where(EventItem.event_id == event_id)
    ).scalar_one()


def event_of_items(session: Session, item_ids: list[int]) -> dict[int, int]:
    """Which event each item belongs to (for the items page)."""
    if not item_ids:
        return {}
    return dict(
        session.execute(  # type: ignore[arg-type]
            select(EventItem.item_id, EventItem.event_id).where(EventItem.item_id.in_(item_ids))
        ).all()
    )


def items_in_event(event_id: int) -> Select[tuple[int]]:
    """Ids of the items of an event (the items page filters by it)."""
    return select(EventItem.item_id).where(EventItem.event_id == event_id)


@dataclass(frozen=True)
class EventFacts:
    """An event as plain data, for the stages after it (incidents, reports)."""

    id: int
    title: str
    first_at: datetime
    keywords: tuple[str, ...]
    heat: float
    level: int | None
    items: int
    drill: bool
    last_at: datetime | None = None
    metrics: dict[str, Any] | None = None
    representatives: tuple[int, ...] = ()


def _facts(row: Event) -> EventFacts:
    return EventFacts(
        row.id,
        row.title or f"事件 {row.id}",
        row.first_at,
        tuple(row.keywords or ()),
        row.heat,
        row.level,
        row.items,
        row.drill,
        row.last_at,
        dict(row.metrics or {}),
        tuple(row.representatives or ()),
    )


def events_in_period(
    session: Session, start: datetime, end: datetime, drill: bool, limit: int = 10
) -> list[EventFacts]:
    """Events active in [start, end), the most severe and the hottest first (for reports)."""
    rows = session.execute(
        select(Event)
        .where(
            Event.drill.is_(drill),
            Event.status == "open",
            Event.last_at >= start,
            Event.first_at < end,
        )
        .order_by(nulls_last(Event.level.asc()), Event.heat.desc(), Event.id)
        .limit(limit)
    ).scalars()
    return [_facts(r) for r in rows]


def event_facts(session: Session, event_id: int) -> EventFacts | None:
    row = session.get(Event, event_id)
    return _facts(row) if row is not None else None


def facts_of(session: Session, event_ids: list[int]) -> dict[int, EventFacts]:
    """Several events' facts, in one query per 500 events."""
    out: dict[int, EventFacts] = {}
    for start in range(0, len(event_ids), 500):
        rows = session.execute(select(Event).where(Event.id.in_(event_ids[start : start + 500])))
        out.update((r.id, _facts(r)) for r in rows.scalars())
    return out


def keywords_of(session: Session, event_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Each event's keywords, in one query per 500 events."""
    out: dict[int, tuple[str, ...]] = {}
    for start in range(0, len(event_ids), 500):
        rows = session.execute(
            select(Event.id, Event.keywords).where(Event.id.in_(event_ids[start : start + 500]))
        ).all()
        out.update((i, tuple(k or ())) for i, k in rows)
    return out


def buckets_of(session: Session, event_id: int) -> list[tuple[datetime, dict[str, Any]]]:
    """The event's cumulative metrics per 5-minute bucket, oldest first."""
    return [(b.start, dict(b.metrics)) for b in timeline(session, event_id)]
