"""Deadlines of a level, from the plan: when each falls due and when to warn that it nears.

Minutes and hours are clock time; days are Chinese working days (plan/durations.py). A plan may
give a deadline two values — at work and off hours (county plan 001: staff on post within 10
minutes in working hours, 30 minutes outside them); working hours are 08:30–17:30 on working
days, Asia/Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from yuqing.plan.durations import due, is_workday
from yuqing.plan.loader import Level
from yuqing.plan.schema import DEADLINES
from yuqing.settings import get_settings

WORK_STARTS, WORK_ENDS = time(8, 30), time(17, 30)
WARN_SHARE = 0.2  # warn when a fifth of the time is left …
WARN_MIN = timedelta(minutes=5)  # … but at least five minutes before
WARN_MAX = timedelta(hours=4)  # … and at most four hours before


@dataclass(frozen=True)
class PlannedDeadline:
    kind: str
    label: str
    due_at: datetime
    rule: str  # "Ⅱ级（重大）: 首次公开回应 5小时（工作时间）"


def at_work(moment: datetime, tz: str = "Asia/Shanghai") -> bool:
    local = moment.astimezone(ZoneInfo(tz))
    return is_workday(local.date()) and WORK_STARTS <= local.time() < WORK_ENDS


def plan_deadlines(
    level: Level, start: datetime, tz: str = "Asia/Shanghai"
) -> list[PlannedDeadline]:
    """The level's deadlines counted from `start`, in the plan's order."""
    working = at_work(start, tz)
    out = []
    for kind, d in level.deadlines.items():
        duration = d.at_work if working else d.off_hours
        when = "工作时间" if working else "非工作时间"
        shift = f"（{when}）" if d.at_work != d.off_hours else ""
        out.append(
            PlannedDeadline(
                kind,
                DEADLINES.get(kind, kind),
                due(start, duration, tz),
                f"{level.label}: {DEADLINES.get(kind, kind)} {duration}{shift}",
            )
        )
    return out


def warn_at(starts_at: datetime, due_at: datetime) -> datetime:
    """When the 时限将至 notice goes out."""
    before = (due_at - starts_at) * WARN_SHARE
    return due_at - min(max(before, WARN_MIN), WARN_MAX)


def remaining(due_at: datetime, now: datetime) -> str:
    """'还剩 1小时05分' or '已超时 12分'."""
    seconds = int((due_at - now).total_seconds())
    sign = "还剩" if seconds >= 0 else "已超时"
    minutes = abs(seconds) // 60
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    text = (f"{days}天" if days else "") + (f"{hours}小时" if hours else "") + f"{minutes:02d}分"
    return f"{sign} {text}"


def to_local(moment: datetime) -> datetime:
    """The installation's local time, for messages and timeline texts."""
    return moment.astimezone(get_settings().tz)
