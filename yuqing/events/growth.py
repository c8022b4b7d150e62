"""Unusual growth (异常增长): a count far above its own recent baseline.

The same test serves an event (items in the last 5 minutes against its previous hour) and a
monitoring scheme (items in the last hour against its previous day): the recent count must be
at least `minimum` and at least `factor` times the baseline's rate plus a Poisson-like margin of
three, so that a quiet stream waking up with a handful of posts is not called a surge.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Surge:
    recent: int
    expected: float  # what the baseline's rate predicts for the recent span

    @property
    def ratio(self) -> float:
        return self.recent / self.expected if self.expected else float("inf")


def unusual(recent: int, expected: float, minimum: int = 10, factor: float = 4.0) -> Surge | None:
    if recent >= minimum and recent >= factor * expected + 3:
        return Surge(recent, expected)
    return None
