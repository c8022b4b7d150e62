"""Writing what the engine decided: memberships, event summaries, timeline buckets, warnings."""

from __future__ import annotations

import heapq
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor
from yuqing.collect.dedup import undecorated
from yuqing.events.engine import Decision, EventEngine
from yuqing.events.model import Placement
from yuqing.events.state import EventState
from yuqing.events.tables import Event, EventBucket, EventItem
from yuqing.plan.versions import Versioned
from yuqing.store.db import dialect_insert
from yuqing.warn.store import record_step

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
        session.execute(insert(EventItem), rows)


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
    todo = [d for d in decisions if d.changed]
    ids = [d.event_id for d in todo]
    rows: dict[int, Event] = {}
    for start in range(0, len(ids), 500):
        chunk = select(Event).where(Event.id.in_(ids[start : start + 500]))
        rows.update((e.id, e) for e in session.execute(chunk).scalars())
    buckets: list[dict[str, object]] = []
    for d in todo:
        state = engine.events[d.event_id]
        row = rows.get(d.event_id)
        if row is None:
            continue
        seed = min(state.engagement)
        if not row.title_edited and not row.title:
            row.title = content_title(state.title)
        if not row.keywords_edited:
            row.keywords = [w for w, _ in state.words.most_common(KEYWORDS)]
        row.representatives = representatives(state, seed)
        row.first_at, row.last_at = state.first_at, state.last_at
        row.items = state.items
        row.heat = float(d.metrics.get("heat", 0.0))
        row.metrics = d.metrics
        row.flags = sorted(d.flags)
        row.updated_at = now
        if plan is not None:
            row.level = d.grade.level
            row.rule_level = d.rule_grade.level
            row.reasons = list(d.grade.reasons)
            row.rule = d.grade.rule
            row.plan_version_id = plan.id
            row.graded_at = now
            row.prediction = (
                {
                    "level": d.prediction.level,
                    "at": d.prediction.at.isoformat(),
                    "reasons": list(d.prediction.reasons),
                    "rates": d.prediction.rates,
                }
                if d.prediction
                else None
            )
            if d.override_lifted:
                row.override_level = None
                row.override_reason = f"(升级规则解除) {row.override_reason or ''}"
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
        if d.step is not None:
            record_step(
                session,
                d.event_id,
                d.step,
                plan.plan if plan else None,
                plan.id if plan else None,
                now,
                drill,
                actor,
            )
    if buckets:
        upsert_buckets(session, buckets)


def upsert_buckets(session: Session, rows: list[dict[str, object]]) -> None:
    """Insert or replace timeline buckets in one statement (SQLite and PostgreSQL alike)."""
    stmt = dialect_insert(session, EventBucket)
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
