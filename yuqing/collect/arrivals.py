"""New or changed items wake the later stages at once, instead of at the collector's next tick.

Intake marks its transaction; once that commits, the collector loop in this process runs the
events stage straight away (items pushed through the API or imported here). On PostgreSQL the
transaction also sends a NOTIFY, delivered at commit, so that the process holding the events
stage (yuqing/events/lease.py) wakes for items stored by any other process.
"""

from __future__ import annotations

import threading

from sqlalchemy import event, text
from sqlalchemy.orm import Session

STORED = "yuqing.items_stored"
CHANNEL = "yuqing_items"
ARRIVED = threading.Event()


def mark(session: Session) -> None:
    if not session.info.get(STORED):
        session.info[STORED] = True
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"NOTIFY {CHANNEL}"))


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(STORED, False):
        ARRIVED.set()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(STORED, None)
