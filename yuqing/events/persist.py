"""Writing what the engine decided: memberships, event summaries, timeline buckets, warnings."""

from __future__ import annotations

import heapq
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor
from yuqing.collect.dedup import undecorated
from yuqing.events.engine import Decision, EventEngine
from yuqing.events.model import Placement
from yuqing.events.state import EventState
from yuqing.events.tables import Event, EventBucket, EventItem
from yuqing.plan.versions import Versioned
from yuqing.store.bulk import insert_rows, update_rows
from yuqing.store.db import dialect_insert
from yuqing.warn.store import record_steps

TITLE_CHARS = 60
KEYWORDS = 8
REPRESENTATIVES = 3


def save_placements(session: Session, placements: list[Placement], now: datetime) -> None:
    rows = [
        {
            "item_id": p.item_id,
            "event_id": p.event_id,
            "how": p.how,
            "score": p.score,
            "joined_at": now,
        }
        for p in placements
        if p.how != "known"
    ]
    if rows:
        insert_rows(session, EventItem.__table__, rows)


def representatives(state: EventState, seed: int) -> list[int]:
    """The first item, then the most engaged ones."""
    ranked = heapq.nsmallest(
        REPRESENTATIVES, state.engagement.items(), key=lambda kv: (-sum(kv[1]), kv[0])
    )
    return [seed, *[i for i, _ in ranked if i != seed][: REPRESENTATIVES - 1]]


def save_decisions(
    session: Session,
    engine: EventEngine,
    decisions: list[Decision],
    plan: Versioned | None,
    now: datetime,
    drill: bool,
    actor: Actor,
) -> None:
    """The changed events' summaries and grades in one bulk UPDATE, their timeline buckets in one
    upsert, then the warning steps (which may open incidents reading the updated events)."""
    todo = [d for d in decisions if d.changed]
    current = _editable(session, [d.event_id for d in todo])
    updates: list[dict[str, Any]] = []
    buckets: list[dict[str, object]] = []
    for d in todo:
        state = engine.events[d.event_id]
        row = current.get(d.event_id)
        if row is None:
            continue
        seed = min(state.engagement)
        update_: dict[str, Any] = {
            "id": d.event_id,
            "representatives": representatives(state, seed),
            "first_at": state.first_at,
            "last_at": state.last_at,
            "items": state.items,
            "heat": float(d.metrics.get("heat", 0.0)),
            "metrics": d.metrics,
            "flags": sorted(d.flags),
            "updated_at": now,
        }
        if not row.title_edited and not row.title:
            update_["title"] = content_title(state.title)
        if not row.keywords_edited:
            update_["keywords"] = [w for w, _ in state.words.most_common(KEYWORDS)]
        if plan is not None:
            update_ |= _grade(d, plan, now)
            if d.override_lifted:
                update_["override_level"] = None
                update_["override_reason"] = f"(升级规则解除) {row.override_reason or ''}"
        updates.append(update_)
        snap = state.snapshots[-1] if state.snapshots else None
        if snap is not None:
            buckets.append(
                {
                    "event_id": d.event_id,
                    "start": snap.start,
                    "added": snap.added,
                    "metrics": snap.metrics,
                }
            )
    if updates:
        update_rows(session, Event.__table__, updates)
        _expire_loaded(session, {u["id"] for u in updates})
    if buckets:
        upsert_buckets(session, buckets)
    steps = [(d.event_id, d.step) for d in todo if d.step is not None and d.event_id in current]
    if steps:
        record_steps(
            session,
            steps,
            plan.plan if plan else None,
            plan.id if plan else None,
            now,
            drill,
            actor,
        )


def _editable(session: Session, ids: list[int]) -> dict[int, Row[Any]]:
    """What people may have set on the events, which the stage must not overwrite."""
    out: dict[int, Row[Any]] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(
                Event.id,
                Event.title,
                Event.title_edited,
                Event.keywords_edited,
                Event.override_reason,
            ).where(Event.id.in_(ids[start : start + 500]))
        )
        out.update((r.id, r) for r in rows)
    return out


def _grade(d: Decision, plan: Versioned, now: datetime) -> dict[str, Any]:
    return {
        "level": d.grade.level,
        "rule_level": d.rule_grade.level,
        "reasons": list(d.grade.reasons),
        "rule": d.grade.rule,
        "plan_version_id": plan.id,
        "graded_at": now,
        "prediction": (
            {
                "level": d.prediction.level,
                "at": d.prediction.at.isoformat(),
                "reasons": list(d.prediction.reasons),
                "rates": d.prediction.rates,
            }
            if d.prediction
            else None
        ),
    }


def _expire_loaded(session: Session, ids: set[int]) -> None:
    """A bulk UPDATE bypasses the identity map: events already loaded must be read afresh."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Event) and obj.id in ids:
            session.expire(obj)


def upsert_buckets(session: Session, rows: list[dict[str, object]]) -> None:
    """Insert or replace timeline buckets in one statement (SQLite and PostgreSQL alike)."""
    stmt = dialect_insert(session, EventBucket.__table__)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["event_id", "start"],
            set_={"added": stmt.excluded.added, "metrics": stmt.excluded.metrics},
        ),
        rows,
    )


def content_title(text: str) -> str:
    cleaned = " ".join(undecorated(text).split())
    return cleaned[:TITLE_CHARS] + ("…" if len(cleaned) > TITLE_CHARS else "")
