"""Which process runs the events stage: on PostgreSQL, one at a time, and the same one.

The stage keeps its events in memory and rebuilds them from the database whenever another
process has advanced its cursor. Workers that took turns rebuilt on nearly every run, so four
workers placed items barely faster than one. Now the first worker to take a session-level
advisory lock keeps the stage for as long as it lives (its connection closing frees the lock
for the next); the others collect and judge. The lock's connection also LISTENs for items
stored by any process, so the stage still runs as soon as they arrive.

SQLite deployments run one collecting process, which always holds the stage. SQLite has no
NOTIFY: items another process stored (the web workers of `yuqing serve --workers 2` beside a
`yuqing worker`, an import from the command line) were seen at the collector's next tick, up to
5 s later. The holder now looks for newer items ten times a second (two index lookups).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import text

from yuqing.collect import arrivals
from yuqing.collect.queries import newest_ids
from yuqing.events.stage import LIVE_BATCH, run_until_idle
from yuqing.store.db import Database

log = logging.getLogger("yuqing.events")
LOCK_KEY = 0x79757169  # "yuqi"
RETRY_SECONDS = 2.0  # how soon a waiting worker notices the holder is gone
POLL_SECONDS = 0.1  # SQLite: how often the holder looks for items other processes stored


class StageLease:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.held = db.dialect != "postgresql"
        self._stop = threading.Event()
        target = self._watch if self.held else self._hold
        self.thread = threading.Thread(target=target, name="yuqing-stage-lease", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout)

    def run(self) -> int:
        """The events stage, if this process holds it; the number of items read."""
        return run_until_idle(self.db, batch=LIVE_BATCH) if self.held else 0

    def _hold(self) -> None:
        while not self._stop.is_set():
            try:
                with self.db.engine.connect() as conn:
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                    got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY})
                    if got.scalar_one():
                        log.info("this process runs the events stage")
                        conn.execute(text(f"LISTEN {arrivals.CHANNEL}"))
                        self.held = True
                        arrivals.ARRIVED.set()  # read what arrived while another held it
                        self._listen(conn.connection.dbapi_connection)
                        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            except Exception:
                log.exception("events stage lease lost; trying again")
            finally:
                self.held = False
            self._stop.wait(RETRY_SECONDS)

    def _watch(self) -> None:
        seen: tuple[int, int] | None = None
        failing = False
        while not self._stop.wait(POLL_SECONDS):
            try:
                with self.db.read() as session:
                    newest = newest_ids(session)
            except Exception:
                if not failing:  # once, not ten times a second
                    log.exception("cannot look for new items; trying again")
                failing = True
                continue
            failing = False
            if seen is not None and newest != seen:
                arrivals.ARRIVED.set()
            seen = newest

    def _listen(self, raw: object) -> None:
        while not self._stop.is_set():
            for _ in raw.notifies(timeout=1.0):  # type: ignore[attr-defined]
                arrivals.ARRIVED.set()
