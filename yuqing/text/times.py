"""Absolute timestamps as sources write them; naive times are the organisation's zone.

feedparser and dateparser misread common Chinese forms (`2026年11月03日 10:21`), so this is our own
small parser. Relative forms (`3小时前`, `昨天 08:15`) belong to the collectors, which know "now".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
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
