"""Timestamps as Chinese sources write them; naive times are the organisation's zone.

feedparser and dateparser misread common Chinese forms (`2026年11月03日 10:21` becomes Nov 1,
`11-03 10:21` becomes 2011-03-22), so this is our own parser. `parse_time` reads absolute times;
`parse_source_time` also reads the relative and year-less forms of web pages and feeds
(`刚刚`, `3小时前`, `昨天 08:15`, `11-03 10:21`), which need to know "now".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_CN = re.compile(
    r"^(?P<y>\d{4})\s*[年/.-]\s*(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})\s*分?(?:\s*[:：]?\s*(?P<S>\d{1,2})\s*秒?)?)?"
    r"\s*$"
)


class BadTime(ValueError):
    pass


def parse_time(value: object, tz: ZoneInfo = SHANGHAI) -> datetime:
    """An aware UTC datetime from a datetime, a date, epoch seconds/milliseconds or a string."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time())
    elif isinstance(value, bool):
        raise BadTime(f"not a time: {value!r}")
    elif isinstance(value, int | float):
        dt = _from_epoch(float(value))
    elif isinstance(value, str):
        dt = _from_string(value.strip())
    else:
        raise BadTime(f"not a time: {value!r}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(UTC)


def _from_epoch(seconds: float) -> datetime:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise BadTime(f"epoch out of range: {seconds}") from exc


def _from_string(text: str) -> datetime:
    if not text:
        raise BadTime("empty time")
    if re.fullmatch(r"\d{10}(\d{3})?(\.\d+)?", text):
        return _from_epoch(float(text))
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    m = _CN.match(text)
    if not m:
        raise BadTime(f"unrecognised time: {text!r}")
    try:
        return datetime(
            int(m["y"]),
            int(m["m"]),
            int(m["d"]),
            int(m["H"] or 0),
            int(m["M"] or 0),
            int(m["S"] or 0),
        )
    except ValueError as exc:
        raise BadTime(f"impossible time: {text!r} ({exc})") from exc


_RELATIVE = re.compile(
    r"^(?P<n>\d+)\s*(?P<unit>秒|分钟|分|小时|个小时|天|日|周|星期|个月|月)\s*前$"
)
_UNIT_SECONDS = {
    "秒": 1,
    "分钟": 60,
    "分": 60,
    "小时": 3600,
    "个小时": 3600,
    "天": 86400,
    "日": 86400,
    "周": 7 * 86400,
    "星期": 7 * 86400,
    "个月": 30 * 86400,
    "月": 30 * 86400,
}
_DAY_WORD = re.compile(r"^(?P<word>今天|昨天|前天)\s*(?:(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{1,2}))?$")
_NO_YEAR = re.compile(
    r"^(?P<m>\d{1,2})\s*[月/-]\s*(?P<d>\d{1,2})\s*日?\s*(?:(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{1,2}))?$"
)
_JUST_NOW = ("刚刚", "刚才", "just now")


def parse_source_time(value: object, now: datetime, tz: ZoneInfo = SHANGHAI) -> datetime:
    """Like parse_time, plus relative and year-less forms read against `now` (aware)."""
    if not isinstance(value, str):
        return parse_time(value, tz)
    text = value.strip()
    local_now = now.astimezone(tz)
    if text in _JUST_NOW:
        return now.astimezone(UTC)
    if m := _RELATIVE.match(text):
        return (now - timedelta(seconds=int(m["n"]) * _UNIT_SECONDS[m["unit"]])).astimezone(UTC)
    if m := _DAY_WORD.match(text):
        back = {"今天": 0, "昨天": 1, "前天": 2}[m["word"]]
        day = local_now.date() - timedelta(days=back)
        at = time(int(m["H"] or 0), int(m["M"] or 0)) if m["H"] else time()
        return _local(day, at, tz)
    if m := _NO_YEAR.match(text):
        at = time(int(m["H"] or 0), int(m["M"] or 0))
        try:
            candidate = _local(date(local_now.year, int(m["m"]), int(m["d"])), at, tz)
            if candidate > now + timedelta(days=1):  # "12-31" seen in January: last year
                candidate = _local(date(local_now.year - 1, int(m["m"]), int(m["d"])), at, tz)
        except ValueError as exc:
            raise BadTime(f"impossible time: {text!r} ({exc})") from exc
        return candidate
    return parse_time(text, tz)


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    try:
        return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
    except ValueError as exc:
        raise BadTime(f"impossible time: {day} {at}") from exc
