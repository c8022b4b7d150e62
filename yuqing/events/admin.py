"""What people do to events: merge, split off or move items, edit title and keywords, set a
level by hand. Each change is audited and tells the running stage to reload; the similarity
index learns nothing from it (it is rebuilt from memberships, not trained)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.collect.queries import items_by_id
from yuqing.events.stage import touch
from yuqing.events.tables import Event, EventItem
from yuqing.store.base import utcnow
from yuqing.warn.lifecycle import Step
from yuqing.warn.queries import active_for
from yuqing.warn.store import record_step


class EventError(ValueError):
    pass


def _event(session: Session, event_id: int) -> Event:
    row = session.get(Event, event_id)
    if row is None or row.status != "open":
        raise EventError(f"事件 {event_id} 不存在或已合并 / event {event_id} is not open")
    return row


def merge(session: Session, target_id: int, others: list[int], actor: Actor) -> int:
    """Move every item of `others` into the target; the others are closed as merged."""
    target = _event(session, target_id)
    moved = 0
    for other_id in sorted(set(others) - {target_id}):
        other = _event(session, other_id)
        if other.drill != target.drill:
            raise EventError("演练事件与真实事件不能合并 / drill and real events never mix")
        moved += session.execute(
            update(EventItem)
            .where(EventItem.event_id == other_id)
            .values(event_id=target_id, moved_by=actor.name)
        ).rowcount
        other.status, other.merged_into, other.updated_at = "merged", target_id, utcnow()
        warning = active_for(session, other_id)
        if warning is not None:
            step = Step("lifted", None, False, (f"已并入事件 {target_id}",))
            record_step(session, other_id, step, None, None, utcnow(), other.drill, actor)
    target.first_at = _first(session, target_id)
    record(
        session,
        actor,
        "event.merge",
        "event",
        target_id,
        summary=f"合并 {sorted(set(others) - {target_id})} → {target_id}: {moved} 条",
        after={"merged": sorted(set(others) - {target_id}), "items": moved},
    )
    touch(session, target.drill, f"merge into {target_id}")
    return moved


def _first(session: Session, event_id: int) -> datetime:
    ids = list(
        session.execute(select(EventItem.item_id).where(EventItem.event_id == event_id)).scalars()
    )
    stored = items_by_id(session, ids)
    return min((s.sort_at for s in stored), default=utcnow())


def move(
    session: Session, item_ids: list[int], target_id: int | None, actor: Actor, source_id: int
) -> int:
    """Move items of one event to another, or (target None) split them off into a new event."""
    source = _event(session, source_id)
    members = set(
        session.execute(
            select(EventItem.item_id).where(
                EventItem.event_id == source_id, EventItem.item_id.in_(item_ids)
            )
        ).scalars()
    )
    if not members:
        raise EventError("没有选中本事件的信息 / no item of this event was chosen")
    total = session.execute(
        select(func.count()).select_from(EventItem).where(EventItem.event_id == source_id)
    ).scalar_one()
    if target_id is None and len(members) == total:
        raise EventError("不能把全部信息拆出 / splitting off every item leaves nothing")
    if target_id is None:
        now = utcnow()
        target = Event(drill=source.drill, first_at=now, last_at=now, title="")
        session.add(target)
        session.flush()
    else:
        target = _event(session, target_id)
        if target.drill != source.drill:
            raise EventError("演练事件与真实事件不能混合 / drill and real events never mix")
    session.execute(
        update(EventItem)
        .where(EventItem.item_id.in_(members))
        .values(event_id=target.id, how="manual", moved_by=actor.name)
    )
    target.first_at = _first(session, target.id)
    action = "event.split" if target_id is None else "event.move"
    record(
        session,
        actor,
        action,
        "event",
        source_id,
        summary=f"{len(members)} 条 {source_id} → {target.id}",
        after={"items": sorted(members), "to": target.id},
    )
    touch(session, source.drill, f"{action} {source_id} → {target.id}")
    return target.id


def edit(session: Session, event_id: int, title: str, keywords: list[str], actor: Actor) -> None:
    row = _event(session, event_id)
    before = {"title": row.title, "keywords": row.keywords}
    title = " ".join(title.split())[:200]
    if not title:
        raise EventError("标题不能为空 / a title is needed")
    row.title, row.title_edited = title, True
    row.keywords, row.keywords_edited = [k for k in keywords if k][:20], True
    record(
        session,
        actor,
        "event.edit",
        "event",
        event_id,
        summary=title,
        before=before,
        after={"title": row.title, "keywords": row.keywords},
    )


def override(
    session: Session, event_id: int, level: int | None, reason: str, actor: Actor, levels: int
) -> None:
    """Set the level by hand (with a written reason) or lift the override (level None)."""
    row = _event(session, event_id)
    reason = reason.strip()
    if level is not None and not 1 <= level <= levels:
        raise EventError(f"级别须在 1–{levels} / the level must be 1–{levels}")
    if level is not None and len(reason) < 4:
        raise EventError("人工定级须写明理由 / a written reason is required")
    before = {"override_level": row.override_level, "reason": row.override_reason}
    row.override_level = level
    row.override_reason = reason if level is not None else None
    row.override_by, row.override_at = actor.name, utcnow()
    record(
        session,
        actor,
        "event.override" if level else "event.override_lift",
        "event",
        event_id,
        summary=f"{level or '解除'}: {reason}",
        before=before,
        after={"override_level": level, "reason": reason},
    )
    touch(session, row.drill, f"override {event_id}")


def note_response(session: Session, event_id: int, at: datetime | None, missed: int) -> None:
    """What the incident workflow tells the grading: when the first answer went out and how
    many deadlines are missed (the plan's escalation rules read both)."""
    row = _event(session, event_id)
    changed = False
    if at is not None and row.responded_at is None:
        row.responded_at, changed = at, True
    if missed != row.missed_deadlines:
        row.missed_deadlines, changed = missed, True
    if changed:
        touch(session, row.drill, f"response {event_id}")
