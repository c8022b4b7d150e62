"""Early warning (预警研判): will the event cross a more severe level soon, and when?

From an event's recent cumulative metrics the rate of each count over the plan's lookback is
projected forward, step by step up to the horizon, and the plan's criteria are evaluated on
the projection. The first step at which a more severe level than the current one would hold is
the prediction. Growth is assumed to fade: an event that has been growing for A hours keeps its
recent pace with a time constant of A hours (added = rate × A × (1 − e^(−t/A))), so a burst of
ten posts in ten minutes is not taken for a crisis, while a story that has spread steadily all
morning is expected to go on. Simple enough to explain ("评论 每小时 +240, 预计 14:35 达 500");
its measured quality on CED is in docs/warnings.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from yuqing.plan.durations import parse_duration
from yuqing.plan.expr import metrics_used, parse
from yuqing.plan.grade import grade
from yuqing.plan.loader import Plan

# Counts that only grow; shares and rates are not extrapolated.
CUMULATIVE = (
    "items",
    "replies",
    "sources",
    "authors",
    "mainstream_media",
    "central_media",
    "reads",
    "comments",
    "reposts",
    "likes",
)
STEP = timedelta(minutes=5)
MIN_SPAN = timedelta(minutes=10)  # rates over less than this are noise


@dataclass(frozen=True)
class Prediction:
    level: int
    at: datetime
    reasons: tuple[str, ...]
    rates: dict[str, float]  # per hour, the metrics that cross


def lookback(plan: Plan) -> timedelta:
    """How far back the rates are measured."""
    return timedelta(minutes=parse_duration(plan.spec.warnings.predict.lookback).minutes)


def predict(
    baseline: Callable[[datetime], tuple[datetime, Mapping[str, float]] | None],
    current: Mapping[str, float],
    flags: frozenset[str] | set[str],
    plan: Plan,
    now: datetime,
    start: datetime,
    level: int | None,
) -> Prediction | None:
    """A more severe level than `level` expected within the plan's horizon, or None.

    `baseline(t)` gives the cumulative metrics last recorded by time t; `start` is when the
    event began, and counts as a zero snapshot when the event is younger than the lookback.
    """
    rules = plan.spec.warnings.predict
    if current.get("items", 0) < rules.min_items or level == 1:
        return None
    base = baseline(now - lookback(plan))
    if base is None:
        base = (start, {})  # younger than the lookback: all of it is recent
    base_at, base_metrics = base
    span = max(now - base_at, MIN_SPAN)
    hours = span.total_seconds() / 3600
    rates = {
        m: (current.get(m, 0) - base_metrics.get(m, 0)) / hours
        for m in CUMULATIVE
        if current.get(m, 0) > base_metrics.get(m, 0)
    }
    recent = current.get("items", 0) - base_metrics.get("items", 0)
    if not rates or recent < rules.min_recent:
        return None  # a trickle is no trend
    horizon = parse_duration(rules.horizon).minutes
    fade = max(now - start, MIN_SPAN).total_seconds() / 3600
    target = plan.least + 1 if level is None else level
    steps = int(horizon / (STEP.total_seconds() / 60))
    for k in range(1, steps + 1):
        ahead = STEP * k
        h = ahead.total_seconds() / 3600
        gain = fade * (1 - math.exp(-h / fade))
        projected = dict(current)
        for m, rate in rates.items():
            projected[m] = current.get(m, 0) + rate * gain
        g = grade(projected, flags, plan)
        if g.level is not None and g.level < target:
            used = metrics_used(parse(g.rule))
            crossing = {m: round(r, 1) for m, r in rates.items() if m in used}
            return Prediction(g.level, now + ahead, g.reasons, crossing)
    return None
