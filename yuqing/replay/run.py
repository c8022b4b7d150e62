"""Replaying a recorded stream through the whole pipeline on a simulated clock.

Items are grouped into ticks of simulated time; each tick stores its items through intake
(normalise, dedup, judging) with the clock at the tick's end, then runs the events stage (events,
grading, warnings) at that time, and writes every decision as a JSON line:

    {"t": …, "type": "item", "item_id": "<the stream's id>", "event_id": 3}
    {"t": …, "type": "warning", "event_id": 3, "level": 2, "action": "issued",
     "predicted": true, "reasons": ["预计 … 达到", "评论 520 ≥ 500"]}

`speed` N sleeps so that simulated time runs N times faster than real time; None runs flat out.
The same function runs console drills (drill=True: a drill source, drill events and warnings).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.queries import external_ids
from yuqing.events.stage import EventStage
from yuqing.replay.formats import Recorded
from yuqing.store.db import Database


@dataclass
class Progress:
    items: int = 0
    ticks: int = 0
    events: int = 0
    warnings: int = 0
    errors: int = 0
    now: datetime | None = None
    done: bool = False
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "ticks": self.ticks,
            "events": self.events,
            "warnings": self.warnings,
            "errors": self.errors,
            "now": self.now.isoformat() if self.now else None,
            "done": self.done,
            "error": self.error,
        }


class SimClock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at


def ticks(records: list[Recorded], tick: timedelta) -> Iterator[tuple[datetime, list[Recorded]]]:
    """Records grouped by the tick they fall in, with the tick's end; empty ticks skipped."""
    if not records:
        return
    origin = records[0].at
    group: list[Recorded] = []
    end = origin + tick
    for r in records:
        if r.at >= end:
            yield end, group
            group = []
            end = origin + tick * ((r.at - origin) // tick + 1)
        group.append(r)
    yield end, group


def replay(
    db: Database,
    records: list[Recorded],
    out: Callable[[dict[str, Any]], None],
    *,
    tick: timedelta = timedelta(minutes=1),
    speed: float | None = None,
    drill: bool = False,
    source: str = "replay",
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> Progress:
    """Run the records through intake and the events stage; every decision goes to `out`."""
    progress = progress or Progress()
    if not records:
        progress.done = True
        return progress
    clock = SimClock(records[0].at)
    intake = Intake(
        db, Actor("replay", "system"), source, "drill" if drill else "file", "replay", clock.now
    )
    stage = EventStage(db, drill=drill)
    events: set[int] = set()
    previous = records[0].at
    for end, group in ticks(records, tick):
        if stop is not None and stop.is_set():
            break
        if speed:
            time.sleep(max(0.0, (end - previous).total_seconds() / speed))
        previous = end
        clock.at = end
        result = intake.store([(r.ref, r.item) for r in group])
        progress.errors += len(result.errors)
        report = stage.run(end)
        t = end.isoformat()
        placements = report.placements or []
        with db.read() as session:
            names = external_ids(session, [p.item_id for p in placements])
        for p in placements:
            out(
                {
                    "t": t,
                    "type": "item",
                    "item_id": names.get(p.item_id),
                    "event_id": p.event_id,
                    "how": p.how,
                }
            )
            events.add(p.event_id)
        for d in report.decisions or []:
            if d.step is None:
                continue
            progress.warnings += 1
            out(
                {
                    "t": t,
                    "type": "warning",
                    "event_id": d.event_id,
                    "level": d.step.level,
                    "action": d.step.action,
                    "predicted": d.step.predicted,
                    "reasons": list(d.step.reasons),
                }
            )
        progress.items += len(group)
        progress.ticks += 1
        progress.events = len(events)
        progress.now = end
    progress.done = True
    return progress


def json_lines(stream: IO[str]) -> Callable[[dict[str, Any]], None]:
    def write(line: dict[str, Any]) -> None:
        stream.write(json.dumps(line, ensure_ascii=False) + "\n")

    return write
