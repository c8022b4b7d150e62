"""Counts over sets of items for reports, the dashboard and the event page: volume over time,
sources, regions, media tiers, and the public accounts that carried them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from yuqing.collect.tables import Item, Source


def items_in_period(start: datetime, end: datetime, drill: bool) -> Select[tuple[int]]:
    """Ids of the items dated in [start, end), drill items or real ones (for reports)."""
    kind = Source.kind == "drill"
    return (
        select(Item.id)
        .join(Source, Source.id == Item.source_id)
        .where(Item.sort_at >= start, Item.sort_at < end, kind if drill else ~kind)
    )


def volume(
    session: Session, start: datetime, end: datetime, step: timedelta, drill: bool
) -> list[tuple[datetime, int]]:
    """Items per step from `start` (one indexed count per step)."""
    out = []
    at = start
    while at < end:
        upto = min(at + step, end)
        count = session.execute(
            select(func.count()).select_from(items_in_period(at, upto, drill).subquery())
        ).scalar_one()
        out.append((at, int(count)))
        at = upto
    return out


def source_counts(
    session: Session, item_ids: Select[tuple[int]], limit: int = 15
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(items per source, items per source region) of a set of items, largest first."""
    ids = select(next(iter(item_ids.subquery().c)))
    by_source = session.execute(
        select(Source.name, func.count())
        .join(Item, Item.source_id == Source.id)
        .where(Item.id.in_(ids))
        .group_by(Source.name)
        .order_by(func.count().desc())
        .limit(limit)
    ).all()
    by_region = session.execute(
        select(Source.region, func.count())
        .join(Item, Item.source_id == Source.id)
        .where(Item.id.in_(ids))
        .group_by(Source.region)
        .order_by(func.count().desc())
        .limit(limit)
    ).all()
    return [(n, int(c)) for n, c in by_source], [(n or "未标注", int(c)) for n, c in by_region]


def tier_counts(session: Session, item_ids: Select[tuple[int]]) -> list[tuple[str, int]]:
    """Items per media tier of their source (未标注 when the source has none)."""
    ids = select(next(iter(item_ids.subquery().c)))
    rows = session.execute(
        select(Source.media_tier, func.count())
        .join(Item, Item.source_id == Source.id)
        .where(Item.id.in_(ids))
        .group_by(Source.media_tier)
        .order_by(func.count().desc())
    ).all()
    return [(t or "未标注", int(n)) for t, n in rows]


@dataclass(frozen=True)
class PublicAccount:
    name: str
    kind: str | None  # None: a verified account of no stated kind
    followers: int
    items: int


def key_accounts(
    session: Session, item_ids: Select[tuple[int]], limit: int = 10
) -> list[PublicAccount]:
    """The public accounts that carried the items — media, official and organisation accounts
    and verified ones only, never private persons — by reach."""
    ids = select(next(iter(item_ids.subquery().c)))
    public = or_(
        Item.author_kind.in_(("media", "official", "organisation")),
        Item.author_verified.is_(True),
    )
    rows = session.execute(
        select(
            Item.author_name,
            func.max(Item.author_kind),
            func.max(Item.author_followers),
            func.count(),
        )
        .where(Item.id.in_(ids), Item.author_name.is_not(None), public)
        .group_by(Item.author_name)
        .order_by(func.max(Item.author_followers).desc().nulls_last())
        .limit(limit)
    ).all()
    return [PublicAccount(n, k, int(f or 0), int(c)) for n, k, f, c in rows]
