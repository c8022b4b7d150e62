"""The timers the notifier sweeps beside its own (督办, digests), in `yuqing serve` and in
`yuqing worker` alike: incident deadlines, the report schedule, retention."""

from __future__ import annotations

from collections.abc import Callable

from yuqing.incident.sweeper import sweep as sweep_deadlines
from yuqing.report.schedule import sweep as sweep_reports
from yuqing.retention import RetentionSweep
from yuqing.settings import Settings
from yuqing.store.db import Database


def timers(settings: Settings) -> list[Callable[[Database], object]]:
    return [sweep_deadlines, lambda db: sweep_reports(db, settings), RetentionSweep(settings)]
