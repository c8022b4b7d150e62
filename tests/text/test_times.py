from datetime import UTC, date, datetime

import pytest

from yuqing.text.times import BadTime, parse_source_time, parse_time


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026年11月03日 10:21", datetime(2026, 11, 3, 2, 21, tzinfo=UTC)),
        ("2026年11月3日", datetime(2026, 11, 2, 16, 0, tzinfo=UTC)),
        ("2026-11-03 10:21:05", datetime(2026, 11, 3, 2, 21, 5, tzinfo=UTC)),
        ("2026/11/03 10:21", datetime(2026, 11, 3, 2, 21, tzinfo=UTC)),
        ("2026-11-03T10:21:00+08:00", datetime(2026, 11, 3, 2, 21, tzinfo=UTC)),
        ("2026-11-03T02:21:00Z", datetime(2026, 11, 3, 2, 21, tzinfo=UTC)),
        ("2026年11月03日 10时21分", datetime(2026, 11, 3, 2, 21, tzinfo=UTC)),
        ("1762136460", datetime(2025, 11, 3, 2, 21, tzinfo=UTC)),
    ],
)
def test_strings(raw: str, expected: datetime) -> None:
    assert parse_time(raw) == expected


def test_naive_datetime_is_shanghai_and_numbers_are_epoch() -> None:
    assert parse_time(datetime(2026, 1, 1, 8, 0)) == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_time(date(2026, 1, 1)) == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert parse_time(1762136460) == parse_time(1762136460000)


@pytest.mark.parametrize(
    "raw", ["", "yesterday", "2026年13月40日", True, [2026], "99999999999999999"]
)
def test_bad_times_are_refused_with_a_reason(raw: object) -> None:
    with pytest.raises(BadTime):
        parse_time(raw)


NOW = datetime(2026, 11, 3, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("刚刚", NOW),
        ("3小时前", datetime(2026, 11, 3, 1, 0, tzinfo=UTC)),
        ("5分钟前", datetime(2026, 11, 3, 3, 55, tzinfo=UTC)),
        ("2天前", datetime(2026, 11, 1, 4, 0, tzinfo=UTC)),
        ("昨天 08:15", datetime(2026, 11, 2, 0, 15, tzinfo=UTC)),
        ("今天 09:30", datetime(2026, 11, 3, 1, 30, tzinfo=UTC)),
        ("前天", datetime(2026, 10, 31, 16, 0, tzinfo=UTC)),
        ("11-03 10:21", datetime(2026, 11, 3, 2, 21, tzinfo=UTC)),
        ("11月02日 23:05", datetime(2026, 11, 2, 15, 5, tzinfo=UTC)),
        ("2026年11月03日 10:21", datetime(2026, 11, 3, 2, 21, tzinfo=UTC)),
    ],
)
def test_source_times_relative_to_now(raw: str, expected: datetime) -> None:
    assert parse_source_time(raw, NOW) == expected


def test_year_less_date_in_the_future_is_last_year() -> None:
    january = datetime(2027, 1, 2, 4, 0, tzinfo=UTC)
    assert parse_source_time("12-31 10:00", january) == datetime(2026, 12, 31, 2, 0, tzinfo=UTC)


def test_midnight_in_shanghai_is_the_previous_utc_day() -> None:
    just_after_midnight = datetime(2026, 11, 2, 16, 30, tzinfo=UTC)  # 00:30 on 11-03 locally
    assert parse_source_time("昨天 23:00", just_after_midnight) == datetime(
        2026, 11, 2, 15, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("raw", ["13-45 10:00", "明天", "3光年前"])
def test_bad_source_times(raw: str) -> None:
    with pytest.raises(BadTime):
        parse_source_time(raw, NOW)
