"""The duty roster (值班表): who is the officer on duty and who the leader on duty (带班领导) at
any moment. Warnings go to their own channels as well as to the roles' group channels.

Shifts are explicit spans; `rota` lays out daily shifts from one handover time to the next,
rotating through the given people and marking each day as a workday, a public holiday or a
make-up workday (调休上班) from chinese-calendar, so holiday duty can be planned and seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.access.accounts import AccountError, get_user
from yuqing.audit.log import Actor, record
from yuqing.notify.tables import DutyShift


class DutyInvalid(ValueError):
    pass


@dataclass(frozen=True)
class OnDuty:
    officer: str
    leader: str | None


def day_kind(day: date) -> str:
    try:
        if chinese_calendar.is_holiday(day):
            return "holiday"
        return "makeup" if day.weekday() >= 5 else "workday"
    except NotImplementedError:  # beyond the published calendar
        return "holiday" if day.weekday() >= 5 else "workday"


def on_duty(session: Session, now: datetime) -> OnDuty | None:
    shift = session.execute(
        select(DutyShift)
        .where(DutyShift.starts_at <= now, DutyShift.ends_at > now)
        .order_by(DutyShift.starts_at.desc())
        .limit(1)
    ).scalar()
    return OnDuty(shift.officer, shift.leader) if shift else None


def add_shift(
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    officer: str,
    leader: str | None,
    actor: Actor,
    kind: str = "workday",
) -> DutyShift:
    if ends_at <= starts_at:
        raise DutyInvalid("班次结束须晚于开始 / a shift must end after it starts")
    for name in (officer, leader):
        if name:
            try:
                get_user(session, name)
            except AccountError as exc:
                raise DutyInvalid(str(exc)) from exc
    shift = DutyShift(
        starts_at=starts_at,
        ends_at=ends_at,
        officer=officer,
        leader=leader,
        day_kind=kind,
        created_by=actor.name,
    )
    session.add(shift)
    session.flush()
    record(
        session,
        actor,
        "duty.add",
        "duty_shift",
        shift.id,
        summary=f"{starts_at:%Y-%m-%d %H:%M}–{ends_at:%Y-%m-%d %H:%M} UTC "
        f"值班 {officer} 带班 {leader or '—'}",
    )
    return shift


def rota(
    start: date,
    days: int,
    officers: list[str],
    leaders: list[str],
    handover: time,
    tz: str = "Asia/Shanghai",
) -> list[tuple[datetime, datetime, str, str | None, str]]:
    """Daily shifts (start, end, officer, leader, day kind), handover to handover, rotating."""
    if not officers or days < 1:
        raise DutyInvalid("至少一名值班员、一天 / at least one officer and one day")
    zone = ZoneInfo(tz)
    out = []
    for i in range(days):
        day = start + timedelta(days=i)
        begin = datetime.combine(day, handover, zone)
        end = datetime.combine(day + timedelta(days=1), handover, zone)
        leader = leaders[i % len(leaders)] if leaders else None
        out.append((begin, end, officers[i % len(officers)], leader, day_kind(day)))
    return out


def upcoming(session: Session, now: datetime, limit: int = 30) -> list[DutyShift]:
    return list(
        session.execute(
            select(DutyShift)
            .where(DutyShift.ends_at > now)
            .order_by(DutyShift.starts_at)
            .limit(limit)
        ).scalars()
    )
