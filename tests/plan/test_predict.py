from datetime import UTC, datetime, timedelta

from yuqing.plan.loader import load_plan
from yuqing.plan.predict import predict
from yuqing.plan.versions import templates

PLAN = load_plan(templates()["enterprise-three-level"])
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def _at(items: float, comments: float):  # type: ignore[no-untyped-def]
    return lambda t: (t, {"items": items, "comments": comments})


def test_a_steady_climb_is_forecast_with_its_time_and_rate() -> None:
    start = NOW - timedelta(hours=3)
    current = {"items": 300, "comments": 420}
    p = predict(_at(200, 300), current, set(), PLAN, NOW, start, 2)
    assert p is not None and p.level == 1
    assert NOW < p.at <= NOW + timedelta(hours=2)
    assert p.rates["comments"] == 240.0
    assert any("评论" in r and "≥ 500" in r for r in p.reasons)


def test_a_young_burst_fades_and_a_trickle_is_no_trend() -> None:
    start = NOW - timedelta(minutes=10)
    burst = predict(lambda t: None, {"items": 40, "comments": 40}, set(), PLAN, NOW, start, None)
    assert burst is not None and burst.level == 3  # 40 in 10 minutes: about 80, not 100 or 500
    old = NOW - timedelta(hours=6)
    trickle = predict(_at(45, 45), {"items": 49, "comments": 49}, set(), PLAN, NOW, old, None)
    assert trickle is None


def test_no_forecast_for_small_events_or_at_the_top() -> None:
    start = NOW - timedelta(hours=1)
    assert predict(_at(0, 0), {"items": 5, "comments": 400}, set(), PLAN, NOW, start, 2) is None
    assert predict(_at(0, 0), {"items": 900, "comments": 900}, set(), PLAN, NOW, start, 1) is None
