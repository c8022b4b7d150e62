from datetime import UTC, date, datetime

import pytest

from yuqing.text.times import BadTime, parse_time


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
