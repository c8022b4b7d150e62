"""The notifier: a thread that sends what the outbox holds within a second of its commit.

It does not wait for the collector's tick: a committed transaction that queued a message wakes it
at once (in this process), and it looks at the outbox twice a second for what other processes
queued. Escalation (督办) and digests are checked every few seconds. Each round's failures are
logged and the loop goes on: a channel that is down must never stop the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from yuqing.notify.outbox import QUEUED
from yuqing.notify.sender import deliver_with, sweep
from yuqing.notify.tables import OutboxMessage
from yuqing.settings import Settings
from yuqing.store.base import utcnow
from yuqing.store.db import Database

log = logging.getLogger("yuqing.notify")
WAKE = threading.Event()


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(QUEUED, False):
        WAKE.set()


def anything_due(db: Database) -> bool:
    with db.read() as session:
        return (
            session.execute(
                select(OutboxMessage.id)
                .where(OutboxMessage.state == "pending", OutboxMessage.next_at <= utcnow())
                .limit(1)
            ).first()
            is not None
        )


class Notifier:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        poll: float = 0.5,
        sweep_every: float = 5.0,
        sweeps: Sequence[Callable[[Database], object]] = (),
    ) -> None:
        """`sweeps` run with the notifier's own sweep: timers of later stages (the incident
        deadlines) whose notices should go out in the same round."""
        self.db, self.settings, self.sweeps = db, settings, tuple(sweeps)
        self.poll, self.sweep_every = poll, sweep_every
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="yuqing-notifier", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        WAKE.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        last_sweep = 0.0
        while not self.stop_event.is_set():
            WAKE.clear()
            try:
                if time.monotonic() - last_sweep >= self.sweep_every:
                    for extra in self.sweeps:
                        extra(self.db)
                    sweep(self.db)
                    last_sweep = time.monotonic()
                if anything_due(self.db):
                    deliver_with(self.db, self.settings, escalate=False)
            except Exception:  # logged; the next round tries again
                log.exception("notifier round failed")
            WAKE.wait(self.poll)
