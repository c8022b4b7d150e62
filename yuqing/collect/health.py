"""Source health: is each source collecting, failing, or silent when it usually is not?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.collect.connectors import PULL_KINDS
from yuqing.collect.tables import Item, Source, SourceRun
from yuqing.web.i18n import translate

DEFAULT_SILENT_HOURS = 24


@dataclass(frozen=True)
class Health:
    state: str  # ok | failing | silent | waiting | disabled | passive
    items_24h: int
    per_day_7d: float
    failures: int = 0
    error: str | None = None
    silent_for_hours: int = 0

    def describe(self, lang: str = "en") -> str:
        """Why the source is in this state, in the reader's language."""
        return translate(
            lang,
            f"health.why.{self.state}",
            failures=self.failures,
            error=self.error or "",
            hours=self.silent_for_hours,
            per_day=self.per_day_7d,
        )

    @property
    def reason(self) -> str:
        return self.describe("en")


def judge(source: Source, items_24h: int, items_7d: int, now: datetime) -> Health:
    """Pure: the health of one source from its state and recent yield."""
    per_day = round(items_7d / 7, 1)
    counts = {"items_24h": items_24h, "per_day_7d": per_day}
    if not source.enabled:
        return Health("disabled", **counts)
    if source.kind not in PULL_KINDS:
        return Health("passive", **counts)
    if source.last_attempt_at is None:
        return Health("waiting", **counts)
    if source.failures:
        return Health("failing", **counts, failures=source.failures, error=source.last_error)
    hours = source.silent_hours or DEFAULT_SILENT_HOURS
    last_new = source.last_new_item_at or source.created_at
    if per_day >= 1 and now - last_new > timedelta(hours=hours):
        silent_for = int((now - last_new).total_seconds() // 3600)
        return Health("silent", **counts, silent_for_hours=silent_for)
    return Health("ok", **counts)


def source_health(session: Session, now: datetime) -> list[tuple[Source, Health]]:
    day, week = now - timedelta(days=1), now - timedelta(days=7)
    counts = dict(
        session.execute(
            select(Item.source_id, func.count())
            .where(Item.collected_at >= day)
            .group_by(Item.source_id)
        ).all()
    )
    weekly = dict(
        session.execute(
            select(Item.source_id, func.count())
            .where(Item.collected_at >= week)
            .group_by(Item.source_id)
        ).all()
    )
    sources = session.execute(select(Source).order_by(Source.key)).scalars().all()
    return [(s, judge(s, counts.get(s.id, 0), weekly.get(s.id, 0), now)) for s in sources]


def recent_runs(session: Session, source_id: int, limit: int = 30) -> list[SourceRun]:
    return list(
        session.execute(
            select(SourceRun)
            .where(SourceRun.source_id == source_id)
            .order_by(SourceRun.id.desc())
            .limit(limit)
        ).scalars()
    )
