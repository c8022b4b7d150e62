"""New or changed items wake the later stages at once, instead of at the collector's next tick.

Intake marks its transaction; once that commits, the collector loop in this process runs the
events stage straight away (items pushed through the API or imported here). Items stored by
another process are picked up at the tick, as before.
"""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session

STORED = "yuqing.items_stored"
ARRIVED = threading.Event()


def mark(session: Session) -> None:
    session.info[STORED] = True


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(STORED, False):
        ARRIVED.set()
