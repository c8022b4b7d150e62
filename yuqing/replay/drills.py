"""Drills (演练) from the console: a recorded stream replayed into the live system, marked.

A drill's items come from a drill source and its events and warnings carry the drill mark, so
the events stage for real items never sees them, and the lists show them only when asked.
Drills run in a background thread of the web process at the chosen speed; their progress is
kept in memory (the events and warnings they made are in the database).
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from yuqing.replay.formats import Recorded, read_ced
from yuqing.replay.run import Progress, replay
from yuqing.store.base import utcnow
from yuqing.store.db import Database

log = logging.getLogger("yuqing.drills")
SPEEDS = {"60": 60.0, "600": 600.0, "3600": 3600.0, "max": None}
_ids = itertools.count(1)


@dataclass
class Drill:
    id: int
    name: str
    started_by: str
    started_at: datetime
    speed: str
    items: int
    progress: Progress = field(default_factory=Progress)
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


_drills: weakref.WeakKeyDictionary[Database, dict[int, Drill]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def drills(db: Database) -> list[Drill]:
    with _lock:
        return sorted(_drills.get(db, {}).values(), key=lambda d: -d.id)


@lru_cache(maxsize=4)
def ced_cascades(folder: Path, limit: int = 40) -> list[tuple[str, int, str]]:
    """The CED source posts with the most comments: (id, comments, opening words)."""
    path = folder / "original_microblogs.jsonl"
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            rows.append((d["event_id"], int(d.get("comments") or 0), (d.get("text") or "")[:40]))
    rows.sort(key=lambda r: -r[1])
    return rows[:limit]


def start(
    db: Database, name: str, records: list[Recorded], speed: str, who: str, tick_seconds: int = 60
) -> Drill:
    """Start replaying `records` as a drill; it runs until done or stopped."""
    drill = Drill(next(_ids), name, who, utcnow(), speed, len(records))

    def run() -> None:
        try:
            replay(
                db,
                records,
                lambda _: None,
                tick=timedelta(seconds=tick_seconds),
                speed=SPEEDS.get(speed),
                drill=True,
                source=f"drill-{drill.id}",
                progress=drill.progress,
                stop=drill.stop,
            )
        except Exception as exc:  # the drill ends; the service goes on
            log.exception("drill %s failed", drill.id)
            drill.progress.error = str(exc)[:500]
        finally:
            drill.progress.done = True

    drill.thread = threading.Thread(target=run, name=f"yuqing-drill-{drill.id}", daemon=True)
    with _lock:
        _drills.setdefault(db, {})[drill.id] = drill
    drill.thread.start()
    return drill


def ced_records(folder: Path, cascade: str) -> list[Recorded]:
    records, _ = read_ced(folder, {cascade})
    if not records:
        raise ValueError(f"CED 中没有 {cascade} / no cascade {cascade} in CED")
    return records


def stop(db: Database, drill_id: int) -> bool:
    with _lock:
        drill = _drills.get(db, {}).get(drill_id)
    if drill is None:
        return False
    drill.stop.set()
    return True


def stop_all(db: Database, timeout: float = 10.0) -> None:
    """Stop this database's drills and wait for them (the service is shutting down)."""
    running = [d for d in drills(db) if d.thread is not None and d.thread.is_alive()]
    for d in running:
        d.stop.set()
    for d in running:
        assert d.thread is not None
        d.thread.join(timeout)
