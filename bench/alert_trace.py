"""Where an alert's time goes under load: the per-post breakdown from the
database's own timestamps, and the events stage's backlog sampled while the load runs."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bench.common import percentiles
from yuqing.collect.queries import newest_ids
from yuqing.events.stage import cursor_name
from yuqing.events.tables import StageCursor
from yuqing.notify.tables import OutboxMessage
from yuqing.store.db import Database


@dataclass(frozen=True)
class Sent:
    monotonic: float
    wall: datetime


def breakdown(
    db: Database, sent: dict[str, Sent], arrived: dict[str, float]
) -> dict[str, dict[str, float | None]]:
    """Per warned post, from the outbox row that carried its marker. The stage stamps the row
    with its run's start (`created_at`) and the notifier with the moment it claimed the row
    (`sent_at`): acknowledged → the start of the events-stage run that read the post (waiting
    behind what arrived before it; below zero when that run began before the response reached
    the collector), → claimed (that run, its commit, the notifier waking), → the webhook's
    receipt (building and sending the message)."""
    parts: dict[str, list[float]] = {
        "ack_to_run_start": [],
        "run_start_to_claim": [],
        "claim_to_received": [],
    }
    with db.read() as session:
        rows = session.execute(
            select(OutboxMessage.body, OutboxMessage.created_at, OutboxMessage.sent_at).where(
                OutboxMessage.topic == "warning"
            )
        ).all()
    for marker, at in arrived.items():
        row = next((r for r in rows if marker in r.body and r.sent_at is not None), None)
        if row is None:
            continue
        run_start = (row.created_at - sent[marker].wall).total_seconds()
        claimed = (row.sent_at - sent[marker].wall).total_seconds()
        parts["ack_to_run_start"].append(run_start)
        parts["run_start_to_claim"].append(claimed - run_start)
        parts["claim_to_received"].append(at - sent[marker].monotonic - claimed)
    return {name: percentiles(values) for name, values in parts.items()}


class Backlog(threading.Thread):
    """Items stored that the events stage has not read, ten times a second."""

    def __init__(self, db: Database) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.samples: list[float] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.1):
            with self.db.read() as s:
                stage = s.get(StageCursor, cursor_name(False))
                newest = newest_ids(s)[0]
            self.samples.append(float(newest - (stage.item_id if stage else 0)))

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(5)
