"""One process at a time holds the events stage on PostgreSQL; items stored elsewhere wake it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import text

from yuqing.audit.log import Actor
from yuqing.collect import arrivals
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.events import lease as lease_module
from yuqing.events.lease import StageLease
from yuqing.store.db import Database


def _until(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_sqlite_always_holds_the_stage_and_wakes_for_items_another_process_stored(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lease_module, "POLL_SECONDS", 0.02)
    # Another process's commit does not set this process's event: only the watcher can.
    monkeypatch.setattr(arrivals, "mark", lambda session: None)
    other_process = Database(sqlite_db.url)
    lease = StageLease(sqlite_db)
    lease.start()
    try:
        assert lease.held
        time.sleep(0.2)
        arrivals.ARRIVED.clear()
        time.sleep(0.2)
        assert not arrivals.ARRIVED.is_set()  # nothing new, no wake
        Intake(other_process, Actor.cli(), "weibo", "file", "test").store(
            [(1, ItemIn(id="a1", text="县一中食堂饭菜发霉，学生腹泻"))]
        )
        assert arrivals.ARRIVED.wait(5)
        assert lease.run() == 1
    finally:
        lease.stop()
        other_process.dispose()
    assert not lease.thread.is_alive()


def test_one_worker_holds_the_stage_and_another_takes_over_when_it_stops(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    monkeypatch.setattr(lease_module, "RETRY_SECONDS", 0.2)
    other_process = Database(db.url)
    first, second = StageLease(db), StageLease(other_process)
    try:
        first.start()
        assert _until(lambda: first.held)
        second.start()
        time.sleep(0.5)
        assert not second.held and second.run() == 0  # it only collects and judges
        with other_process.engine.connect() as listener:
            listener = listener.execution_options(isolation_level="AUTOCOMMIT")
            listener.execute(text(f"LISTEN {arrivals.CHANNEL}"))
            Intake(other_process, Actor.cli(), "weibo", "file", "test").store(
                [(1, ItemIn(id="a1", text="县一中食堂饭菜发霉，学生腹泻"))]
            )
            raw = listener.connection.dbapi_connection
            assert [n.channel for n in raw.notifies(timeout=2, stop_after=1)] == [  # type: ignore[union-attr]
                arrivals.CHANNEL
            ]
            arrivals.ARRIVED.clear()  # as if the intake had run in another process
            listener.execute(text(f"NOTIFY {arrivals.CHANNEL}"))
            assert arrivals.ARRIVED.wait(5)  # the holder heard it
        first.stop()
        assert _until(lambda: second.held)
        assert second.run() == 1
    finally:
        first.stop()
        second.stop()
        other_process.dispose()
