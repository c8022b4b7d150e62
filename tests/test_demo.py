"""The demonstration `make run` starts with: set up once, and its drill takes the county from
the first post to a level-Ⅱ incident with the plan's deadlines."""

from __future__ import annotations

import time

from sqlalchemy import select

from yuqing.demo import seed, start_drill
from yuqing.events.tables import Event
from yuqing.incident.tables import Deadline, Incident
from yuqing.store.db import Database
from yuqing.warn.tables import WarningStep


def test_the_demonstration_plays_to_an_incident(db: Database) -> None:
    with db.write() as s:
        lines = seed(s)
    assert any(line.startswith("demo user zhang") for line in lines)
    with db.write() as s:
        assert seed(s) == []  # a second run adds nothing
    drill = start_drill(db, speed="max")
    deadline = time.monotonic() + 60
    while not drill.progress.done and time.monotonic() < deadline:
        time.sleep(0.1)
    assert drill.progress.done and drill.progress.error is None
    with db.read() as s:
        incident = s.execute(select(Incident)).scalar_one()
        levels = [
            r.level for r in s.execute(select(WarningStep).order_by(WarningStep.id)).scalars()
        ]
        main = s.get(Event, incident.event_id)
        deadlines = s.execute(select(Deadline.label).where(Deadline.incident_id == incident.id))
        labels = set(deadlines.scalars())
    assert incident.drill and incident.level == 2 and main.items > 50
    assert levels[0] == 4 and levels[-1] == 2  # the warning rises from Ⅳ to Ⅱ
    assert {"报告领导", "首次公开回应"} <= labels


def test_the_demo_command(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("demo")
    assert code == 0 and "demo user li" in out
    code, out = run("demo")
    assert code == 0 and "set up already" in out
