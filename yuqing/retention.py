"""Retention: raw items are forgotten after `retention_days`, but only those that belong to no
event anyone acted on and to no incident. Everything else is evidence and stays for ever: events
that were graded to a level, warned, opened as incidents, edited or merged into; items preserved
as evidence (取证) or judged by a person; items collected since the cutoff.

An event goes whole or not at all, so the record of an event never has holes. Each pass is
written to the audit chain with what it removed and why."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.collect.forget import forget_items, must_keep
from yuqing.events.retention import forget_events, members, quiet_events
from yuqing.incident.queries import kept_by_incidents
from yuqing.judge.queries import judged_by_people
from yuqing.settings import Settings
from yuqing.store.base import utcnow
from yuqing.store.db import Database
from yuqing.warn.queries import warned_events

RETENTION = Actor("retention", "system")
MIN_DAYS = 30  # well past any event window, so no running stage still holds what goes
BATCH = 200


@dataclass
class Purged:
    before: datetime
    events: int = 0
    items: int = 0
    kept_events: int = 0  # quiet events kept because one of their items must stay


def purge(db: Database, days: int, now: datetime | None = None, dry_run: bool = False) -> Purged:
    if days < MIN_DAYS:
        raise ValueError(f"retention must be at least {MIN_DAYS} days, got {days}")
    result = Purged((now or utcnow()) - timedelta(days=days))
    after_id = 0
    while True:
        with db.write() as s:
            candidates = quiet_events(s, result.before, after_id, BATCH)
            if not candidates:
                return result
            after_id = candidates[-1]
            events, items = _doomed(s, candidates, result)
            if dry_run or not events:
                s.rollback()
                continue
            forget_events(s, events)
            forget_items(s, items)
            record(
                s,
                RETENTION,
                "purge",
                "item",
                summary=f"保留期满：删除 {len(items)} 条原始信息、{len(events)} 个未处置的事件"
                f"（{result.before:%Y-%m-%d} 前）",
                before={"events": events, "items": len(items)},
            )


def _doomed(s: Session, candidates: list[int], result: Purged) -> tuple[list[int], list[int]]:
    events = set(candidates) - warned_events(s, candidates)
    by_incident, _ = kept_by_incidents(s, list(events), [])
    events -= by_incident
    of = members(s, list(events))
    while True:  # keeping one item keeps its event, whose items may keep a story head
        items = [i for e in events for i in of.get(e, [])]
        _, opened = kept_by_incidents(s, [], items)
        keep = must_keep(s, items, result.before) | judged_by_people(s, items) | opened
        kept = {e for e in events if keep.intersection(of.get(e, []))}
        if not kept:
            break
        result.kept_events += len(kept)
        events -= kept
    result.events += len(events)
    result.items += len(items)
    return sorted(events), items


class RetentionSweep:
    """Runs the purge from the service's sweeps at most once an hour, when retention is set."""

    def __init__(self, settings: Settings, every: float = 3600.0) -> None:
        self.settings, self.every, self.last = settings, every, float("-inf")

    def __call__(self, db: Database) -> Purged | None:
        if self.settings.retention_days <= 0 or time.monotonic() - self.last < self.every:
            return None
        self.last = time.monotonic()
        return purge(db, self.settings.retention_days)
