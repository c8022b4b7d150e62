"""The warning lifecycle (预警): issued → raised / lowered / confirmed → lifted, as pure steps.

A warning is issued when an event first reaches a level, or — marked *predicted* — when the
early-warning projection expects it to reach one within the plan's horizon. It is raised when
the level (real or predicted) becomes more severe; a predicted warning is confirmed when the
level is really reached, and lowered (or lifted, if no level holds) when the predicted time has
passed by GRACE without the level being reached. Lifting by a person is done in the console
and needs the role the plan names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from yuqing.plan.grade import Grade
from yuqing.plan.predict import Prediction

GRACE = timedelta(minutes=30)


@dataclass
class Active:
    """What is known of an event's active warning."""

    level: int
    predicted: bool
    predicted_for: datetime | None = None  # when a predicted level was expected to be reached


@dataclass(frozen=True)
class Step:
    action: str  # issued | raised | confirmed | lowered | lifted
    level: int | None
    predicted: bool
    reasons: tuple[str, ...]
    predicted_for: datetime | None = None


def _prediction_reasons(p: Prediction) -> tuple[str, ...]:
    rates = "，".join(f"{m} 每小时 +{r:g}" for m, r in p.rates.items())
    when = p.at.strftime("%Y-%m-%d %H:%M UTC")
    lead = f"预计 {when} 前后达到"
    return (lead, *p.reasons, *([f"依据近期增速: {rates}"] if rates else []))


def next_step(active: Active | None, g: Grade, p: Prediction | None, now: datetime) -> Step | None:
    """The one change a new grade and prediction make to an event's warning, if any."""
    real = g.level
    pred = p.level if p is not None else None
    if active is None:
        if real is not None:
            return Step("issued", real, False, g.reasons)
        if p is not None and pred is not None:
            return Step("issued", pred, True, _prediction_reasons(p), p.at)
        return None
    if real is not None and real < active.level:
        return Step("raised", real, False, g.reasons)
    if real is not None and real == active.level and active.predicted:
        return Step("confirmed", real, False, g.reasons)
    floor = min(active.level, real) if real is not None else active.level
    if p is not None and pred is not None and pred < floor:
        return Step("raised", pred, True, _prediction_reasons(p), p.at)
    if (
        active.predicted
        and active.predicted_for is not None
        and now > active.predicted_for + GRACE
        and (real is None or real > active.level)
    ):
        why = ("预测时间已过，未达到该级别",)
        if real is None:
            return Step("lifted", None, False, why)
        return Step("lowered", real, False, why + g.reasons)
    return None


def apply(active: Active | None, step: Step) -> Active | None:
    if step.action == "lifted" or step.level is None:
        return None
    return Active(step.level, step.predicted, step.predicted_for)
