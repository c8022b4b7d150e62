from datetime import UTC, datetime, timedelta

from yuqing.plan.grade import Grade
from yuqing.plan.predict import Prediction
from yuqing.warn.lifecycle import GRACE, Active, apply, next_step

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
NONE = Grade(None)


def _forecast(level: int, minutes: int = 40) -> Prediction:
    return Prediction(
        level, NOW + timedelta(minutes=minutes), ("评论 510 ≥ 500",), {"comments": 120}
    )


def test_issue_raise_confirm() -> None:
    step = next_step(None, Grade(3, ("评论 60 ≥ 50",)), None, NOW)
    assert step is not None and (step.action, step.level, step.predicted) == ("issued", 3, False)
    active = apply(None, step)
    raised = next_step(active, Grade(3, ("评论 80 ≥ 50",)), _forecast(1), NOW)
    assert raised is not None and (raised.action, raised.level, raised.predicted) == (
        "raised",
        1,
        True,
    )
    assert raised.reasons[0].startswith("预计 2026-11-22 12:40")
    active = apply(active, raised)
    confirmed = next_step(active, Grade(1, ("评论 505 ≥ 500",)), None, NOW)
    assert confirmed is not None and confirmed.action == "confirmed"
    assert next_step(apply(active, confirmed), Grade(1), None, NOW) is None


def test_a_forecast_that_fails_is_lowered_or_lifted_after_the_grace() -> None:
    pre = next_step(None, NONE, _forecast(2, 10), NOW)
    assert pre is not None and (pre.action, pre.predicted) == ("issued", True)
    active = apply(None, pre)
    assert next_step(active, NONE, None, NOW + timedelta(minutes=10)) is None
    later = NOW + timedelta(minutes=10) + GRACE + timedelta(minutes=1)
    lifted = next_step(active, NONE, None, later)
    assert lifted is not None and lifted.action == "lifted" and apply(active, lifted) is None
    lowered = next_step(active, Grade(3, ("评论 70 ≥ 50",)), None, later)
    assert lowered is not None and (lowered.action, lowered.level) == ("lowered", 3)


def test_nothing_changes_when_nothing_is_new() -> None:
    assert next_step(None, NONE, None, NOW) is None
    assert next_step(Active(2, False), Grade(2), None, NOW) is None
    assert next_step(Active(2, False), Grade(3), None, NOW) is None  # people lower, not the rule
