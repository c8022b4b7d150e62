from datetime import UTC, datetime

import pytest

from yuqing.plan.durations import Duration, due, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", Duration(minutes=30)),
        ("30分钟", Duration(minutes=30)),
        ("半小时", Duration(minutes=30)),
        ("1h", Duration(minutes=60)),
        ("3小时", Duration(minutes=180)),
        ("1.5h", Duration(minutes=90)),
        ("1d", Duration(minutes=1440)),
        ("1天", Duration(minutes=1440)),
        ("5wd", Duration(working_days=5)),
        ("5个工作日", Duration(working_days=5)),
    ],
)
def test_parse(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "0m", "-5m", "1.5个工作日", "5 fortnights"])
def test_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_clock_time() -> None:
    start = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    assert due(start, parse_duration("30m")) == datetime(2026, 9, 30, 2, 30, tzinfo=UTC)


def test_working_days_skip_the_national_day_holiday() -> None:
    # 2026-09-30 10:00 Beijing; 1–7 October are holidays and Saturday 10 October is a make-up
    # workday, so five working days later is 13 October (8, 9, 10, 12, 13).
    start = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    assert due(start, parse_duration("5个工作日")) == datetime(2026, 10, 13, 2, 0, tzinfo=UTC)


def test_working_days_beyond_the_published_calendar_count_weekdays() -> None:
    start = datetime(2040, 1, 6, 2, 0, tzinfo=UTC)  # a Friday
    assert due(start, parse_duration("1wd")) == datetime(2040, 1, 9, 2, 0, tzinfo=UTC)
