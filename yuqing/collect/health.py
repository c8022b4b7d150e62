"""Source health: is each source collecting, failing, or silent when it usually is not?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.collect.connectors import PULL_KINDS
from yuqing.collect.tables import Item, Source, SourceRun

DEFAULT_SILENT_HOURS = 24


@dataclass(frozen=True)
class Health:
    state: str  # ok | failing | silent | waiting | disabled | passive
    reason: str
    items_24h: int
    per_day_7d: float


def judge(source: Source, items_24h: int, items_7d: int, now: datetime) -> Health:
    """Pure: the health of one source from its state and recent yield."""
    per_day = round(items_7d / 7, 1)

    def h(state: str, reason: str) -> Health:
        return Health(state, reason, items_24h, per_day)

    if not source.enabled:
        return h("disabled", "停用 / disabled")
    if source.kind not in PULL_KINDS:
        return h("passive", "由导入、推送或人工报送写入 / filled by import, push or hand")
    if source.last_attempt_at is None:
        return h("waiting", "等待首次采集 / waiting for its first run")
    if source.failures:
        return h(
            "failing",
            f"连续失败 {source.failures} 次 / {source.failures} failures in a "
            f"row: {source.last_error}",
        )
    hours = source.silent_hours or DEFAULT_SILENT_HOURS
    last_new = source.last_new_item_at or source.created_at
    if per_day >= 1 and now - last_new > timedelta(hours=hours):
        silent_for = int((now - last_new).total_seconds() // 3600)
        return h(
            "silent",
            f"已 {silent_for} 小时无新信息（平时每天约 {per_day} 条）/ no new items "
            f"for {silent_for} h, usually {per_day} a day",
        )
    return h("ok", "正常 / collecting")


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
