"""Deadlines (时限) as the plans write them: minutes and hours of clock time, or working days.

`30m`, `30分钟`, `半小时`, `1h`, `3小时`, `1d`/`1天` (24 clock hours), `5wd`/`5个工作日`.
Working days skip weekends and public holidays and count make-up workdays (调休上班), from the
chinese-calendar package; a due time keeps the time of day of its start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

_PATTERN = re.compile(
    r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>m|min|mins|minutes?|分钟|分|h|hours?|小时|个小时"
    r"|d|days?|天|日|wd|workdays?|working\s*days?|个工作日|工作日)\s*$",
    re.IGNORECASE,
)
_WORDS = {"半小时": "30m", "一小时": "1h", "两小时": "2h", "一天": "1d"}
_MINUTES = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1, "分钟": 1, "分": 1}
_HOURS = {"h", "hour", "hours", "小时", "个小时"}
_DAYS = {"d", "day", "days", "天", "日"}


@dataclass(frozen=True)
class Duration:
    minutes: int = 0
    working_days: int = 0

    def __str__(self) -> str:
        if self.working_days:
            return f"{self.working_days}个工作日"
        if self.minutes % 60 == 0:
            return f"{self.minutes // 60}小时"
        return f"{self.minutes}分钟"


@lru_cache(maxsize=256)  # a plan's few deadlines, read for every event of every sweep
def parse_duration(text: str) -> Duration:
    text = _WORDS.get(text.strip(), text)
    m = _PATTERN.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a duration: write 30m, 1h, 3小时, 1d or 5个工作日")
    n = float(m.group("n"))
    unit = m.group("unit").lower()
    if unit in _MINUTES:
        minutes = n
    elif unit in _HOURS:
        minutes = n * 60
    elif unit in _DAYS:
        minutes = n * 1440
    else:
        if n != int(n) or n < 1:
            raise ValueError(f"{text!r}: working days are whole numbers from 1")
        return Duration(working_days=int(n))
    if minutes <= 0 or minutes != int(minutes):
        raise ValueError(f"{text!r}: a duration is a positive whole number of minutes")
    return Duration(minutes=int(minutes))


def due(start: datetime, duration: Duration, tz: str = "Asia/Shanghai") -> datetime:
    """When a deadline of `duration` from `start` falls due (UTC in, UTC out)."""
    if not duration.working_days:
        return start + timedelta(minutes=duration.minutes)
    zone = ZoneInfo(tz)
    local = start.astimezone(zone)
    day = local.date()
    left = duration.working_days
    while left:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return datetime.combine(day, local.timetz()).astimezone(start.tzinfo)


def is_workday(day: date) -> bool:
    """The official calendar where it is published; Monday to Friday beyond it."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5
