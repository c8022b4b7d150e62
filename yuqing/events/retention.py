"""What retention may forget of the events stage: quiet events — never graded to a level, never
edited by a person, nothing merged into them, silent since the cutoff."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, aliased

from yuqing.events.tables import Event, EventBucket, EventItem


def quiet_events(session: Session, before: datetime, after_id: int, limit: int) -> list[int]:
    merged = aliased(Event)
    rows = session.execute(
        select(Event.id)
        .where(
            Event.id > after_id,
            Event.status == "open",
            Event.last_at < before,
            Event.level.is_(None),
            Event.rule_level.is_(None),
            Event.override_level.is_(None),
            Event.title_edited.is_(False),
            Event.keywords_edited.is_(False),
            ~select(merged.id).where(merged.merged_into == Event.id).exists(),
        )
        .order_by(Event.id)
        .limit(limit)
    )
    return list(rows.scalars())


def members(session: Session, event_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(
        select(EventItem.event_id, EventItem.item_id).where(EventItem.event_id.in_(event_ids))
    )
    for event_id, item_id in rows:
        out[event_id].append(item_id)
    return out


def placed(session: Session, item_ids: list[int]) -> set[int]:
    rows = session.execute(select(EventItem.item_id).where(EventItem.item_id.in_(item_ids)))
    return set(rows.scalars())


def forget_events(session: Session, event_ids: list[int]) -> None:
    if not event_ids:
        return
    session.execute(delete(EventItem).where(EventItem.event_id.in_(event_ids)))
    session.execute(delete(EventBucket).where(EventBucket.event_id.in_(event_ids)))
    session.execute(delete(Event).where(Event.id.in_(event_ids)))
