"""总结评估: the figures a review starts from, computed from what was recorded — never typed in.

Time to detect runs from the first item of the event to the incident opening; to report, to the
`report` deadline being met; to first response, to the first statement published. Each deadline
is met on time, met late, missed (still open when the review is written) or superseded, and
names the unit answerable for it. The answer's effect compares the event before and after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class DeadlineFact:
    label: str
    owner: str
    due_at: datetime
    met_at: datetime | None
    breached_at: datetime | None
    superseded: bool = False


@dataclass(frozen=True)
class Effect:
    """The event in equal windows before and after the answer."""

    window_hours: float
    items_before: int
    items_after: int
    negative_before: float | None  # share of negative items in the window
    negative_after: float | None

    @property
    def calmer(self) -> bool | None:
        if self.window_hours <= 0:
            return None
        return self.items_after < self.items_before


@dataclass(frozen=True)
class ReviewFacts:
    first_item_at: datetime | None
    opened_at: datetime
    reported_at: datetime | None
    answered_at: datetime | None
    subsided_at: datetime | None
    peak_level: int | None
    peak_heat: float | None
    deadlines: list[DeadlineFact]
    effect: Effect | None


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)


def outcome(d: DeadlineFact, now: datetime | None = None) -> str:
    """on_time, late, missed or superseded; with `now`, an unmet deadline not yet due and never
    breached is pending (a report made while the incident runs). A review passes no `now`:
    whatever is unmet by then counts as missed."""
    if d.superseded:
        return "superseded"
    if d.met_at is not None:
        return "on_time" if d.met_at <= d.due_at else "late"
    if now is not None and d.breached_at is None and d.due_at > now:
        return "pending"
    return "missed"


def review_figures(f: ReviewFacts) -> dict[str, Any]:
    """Plain JSON, stored with the incident when the review is written."""
    rows = [
        {
            "label": d.label,
            "owner": d.owner,
            "due_at": d.due_at.isoformat(),
            "met_at": d.met_at.isoformat() if d.met_at else None,
            "outcome": outcome(d),
        }
        for d in f.deadlines
    ]
    counted = [r for r in rows if r["outcome"] != "superseded"]
    effect = None
    if f.effect is not None:
        e = f.effect
        effect = {
            "window_hours": e.window_hours,
            "items_before": e.items_before,
            "items_after": e.items_after,
            "negative_before": e.negative_before,
            "negative_after": e.negative_after,
            "calmer": e.calmer,
        }
    return {
        "minutes_to_detect": _minutes(f.first_item_at, f.opened_at),
        "minutes_to_report": _minutes(f.opened_at, f.reported_at),
        "minutes_to_first_response": _minutes(f.opened_at, f.answered_at),
        "minutes_to_subside": _minutes(f.opened_at, f.subsided_at),
        "peak_level": f.peak_level,
        "peak_heat": f.peak_heat,
        "deadlines": rows,
        "deadlines_met": sum(r["outcome"] == "on_time" for r in counted),
        "deadlines_late": sum(r["outcome"] == "late" for r in counted),
        "deadlines_missed": sum(r["outcome"] == "missed" for r in counted),
        "effect": effect,
    }


def effect_of_answer(
    buckets: list[tuple[datetime, dict[str, Any]]], at: datetime, now: datetime, hours: float = 2.0
) -> Effect | None:
    """Items and negative share in the `hours` before the answer and as long after it (or as
    long as has passed), from the event's cumulative 5-minute buckets."""
    if not buckets:
        return None
    window = min(timedelta(hours=hours), max(now - at, timedelta(0)))

    def cumulative(moment: datetime) -> tuple[float, float]:
        items = negative = 0.0
        for start, metrics in buckets:
            if start > moment:
                break
            items = float(metrics.get("items", 0))
            negative = items * float(metrics.get("negative_share", 0.0))
        return items, negative

    i0, n0 = cumulative(at - window)
    i1, n1 = cumulative(at)
    i2, n2 = cumulative(at + window)

    def share(items: float, negative: float) -> float | None:
        return round(negative / items, 3) if items > 0 else None

    return Effect(
        round(window.total_seconds() / 3600, 2),
        int(i1 - i0),
        int(i2 - i1),
        share(i1 - i0, n1 - n0),
        share(i2 - i1, n2 - n1),
    )
