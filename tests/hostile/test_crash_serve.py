"""SIGKILL of the whole service (`yuqing serve`) while items arrive and the events stage grades
them, then a restart with the clock two hours on (libfaketime moves the restarted process's
clock; the database and the test keep the real one).

After the restart: every item the API acknowledged is stored once and sits in exactly one event;
the incident opened before the kill keeps its deadlines; the deadline that fell due while the
service was down is breached once, its 督办 delivered once; no message is lost, and only a message
on the wire at the moment of the kill may arrive twice (with the same key)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import add_user
from tests.notify.servers import Hook, webhook
from tests.notify.test_delivery import KEY
from tests.pg import free_port
from yuqing.access import accounts, tokens
from yuqing.audit.log import Actor
from yuqing.collect.tables import Item
from yuqing.events.tables import EventItem
from yuqing.incident.tables import Deadline, Incident
from yuqing.notify.admin import add_channel
from yuqing.plan.versions import save, templates
from yuqing.store.base import utcnow
from yuqing.store.db import Database

FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
STORIES = ["一中食堂饭菜发霉学生腹泻", "县医院门诊排队挂号难", "城区道路施工扬尘", "小区停水三天"]
BATCH = 50


def _needs_faketime() -> None:
    if not FAKETIME.exists():
        if os.environ.get("YUQING_REQUIRE_FAKETIME"):
            pytest.fail(f"{FAKETIME} is missing: apt-get install faketime")
        pytest.skip("libfaketime is not installed (apt-get install faketime)")


class Service:
    """`yuqing serve` in its own process, as an operator runs it."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "YUQING_DATABASE_URL": db.url,
            "YUQING_DATA_DIR": str(data_dir),
            "YUQING_SECRET_KEY": KEY,
            "YUQING_COLLECT_TICK_SECONDS": "0.2",
            "YUQING_PUBLIC_URL": self.url,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, clock_ahead: timedelta | None = None) -> None:
        env = dict(self.env)
        if clock_ahead:
            env |= {
                "LD_PRELOAD": str(FAKETIME),
                "FAKETIME": f"+{int(clock_ahead.total_seconds())}s",
                "FAKETIME_DONT_FAKE_MONOTONIC": "1",
                "FAKETIME_NO_CACHE": "1",
            }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "yuqing.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _until(self._answers, 30, "the service did not start")

    def _answers(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            err = self.proc.stderr.read().decode() if self.proc.stderr else ""
            raise AssertionError(f"the service exited: {err[-2000:]}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


def _until(check: Callable[[], bool], seconds: float, failure: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        time.sleep(0.05)


def _count(db: Database, stmt: Any) -> int:
    with db.read() as s:
        return s.execute(stmt).scalar_one()


def _item(n: int, minutes_ago: float, comments: int = 0) -> dict[str, Any]:
    at = utcnow() - timedelta(minutes=minutes_ago)
    return {
        "id": f"s{n}",
        "source": "微博",
        "text": f"{STORIES[n % len(STORIES)]}，网友第{n}条反映",
        "published_at": at.isoformat(),
        "metrics": {"comments": comments},
    }


class Pusher(threading.Thread):
    """A collector pushing batches until the service dies; it remembers what was acknowledged."""

    def __init__(self, url: str, token: str, first: int) -> None:
        super().__init__(daemon=True)
        self.url, self.headers, self.next = url, {"Authorization": f"Bearer {token}"}, first
        self.acknowledged: set[str] = set()
        self.unanswered: list[dict[str, Any]] = []

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while True:
                batch = [_item(self.next + i, 5) for i in range(BATCH)]
                self.next += BATCH
                try:
                    r = client.post(
                        f"{self.url}/api/v1/items", json={"items": batch}, headers=self.headers
                    )
                except httpx.HTTPError:
                    self.unanswered = batch  # a real collector sends these again
                    return
                assert r.status_code == 200 and not r.json()["errors"], r.text
                self.acknowledged.update(i["id"] for i in batch)


def _setup(db: Database, hook: Hook) -> str:
    add_user(db, "crawler", "monitor")
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())
        add_channel(s, "值班群", "webhook", {"url": hook.url}, ["office"], Actor.cli(), KEY)
        _, token = tokens.create_token(
            s, accounts.get_user(s, "crawler"), "crawler", ["items.import"], Actor.system()
        )
    return token


def _push(service: Service, token: str, batch: list[dict[str, Any]]) -> None:
    r = httpx.post(
        f"{service.url}/api/v1/items",
        json={"items": batch},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,  # a service just restarted is catching up on the events stage
    )
    assert r.status_code == 200 and not r.json()["errors"], r.text


def _kill_while_behind(
    db: Database, service: Service, token: str, attempts: int = 5
) -> tuple[set[str], list[dict[str, Any]]]:
    """SIGKILL while stored items still wait for the events stage. The stage catches up within
    milliseconds of each batch, so a kill can land just after it did: then the service is started
    again on the real clock, the unanswered batch sent again, and the kill tried anew."""
    items = select(func.count()).select_from(Item)
    placed = select(func.count()).select_from(EventItem)
    acknowledged: set[str] = set()
    first = 1
    for _ in range(attempts):
        pusher = Pusher(service.url, token, first=first)
        pusher.start()
        _until(lambda p=pusher: len(p.acknowledged) >= 20 * BATCH, 120, "the pushes stalled")
        _until(
            lambda: _count(db, items) - _count(db, placed) >= BATCH,
            60,
            "the events stage never fell behind",
        )
        service.kill()
        pusher.join(15)
        assert pusher.unanswered, "the pusher did not notice the kill"
        acknowledged |= pusher.acknowledged
        if _count(db, placed) < _count(db, items):
            return acknowledged, pusher.unanswered
        service.start()
        _push(service, token, pusher.unanswered)
        acknowledged |= {i["id"] for i in pusher.unanswered}
        first = pusher.next
    raise AssertionError(f"the events stage was never behind at the kill in {attempts} tries")


def test_the_service_killed_while_grading_restarts_with_the_clock_moved_on(
    db: Database, tmp_path: Path
) -> None:
    _needs_faketime()
    placed = select(func.count()).select_from(EventItem)
    with webhook() as hook:
        token = _setup(db, hook)
        service = Service(db, tmp_path)
        service.start()
        try:
            # 1. a post with 230 comments: a level-Ⅱ warning opens an incident with deadlines
            _push(service, token, [_item(0, 40, comments=230)])
            _until(
                lambda: _count(db, select(func.count()).select_from(Incident)) == 1,
                30,
                "no incident",
            )
            _until(lambda: len(hook.received) >= 1, 30, "the warning was not delivered")
            # 2. items keep arriving; killed while the events stage has items still to grade
            acknowledged, unanswered = _kill_while_behind(db, service, token)
            with db.read() as s:
                report = s.execute(select(Deadline).where(Deadline.kind == "report")).scalar_one()
                assert report.state == "open"  # due an hour after the incident opened

            # 3. restarted two hours later; the collector sends its unanswered batch again
            service.start(clock_ahead=timedelta(hours=2))
            _push(service, token, unanswered)
            sent = acknowledged | {i["id"] for i in unanswered} | {"s0"}
            _until(
                lambda: _count(db, placed) == len(sent), 120, "the events stage did not catch up"
            )

            def breach_delivered() -> bool:
                return any(b["title"] == "【督办】超时：报告领导" for _, b in hook.received)

            _until(breach_delivered, 60, "the missed deadline was never escalated")
            time.sleep(6)  # another sweep of deadlines and outbox: nothing may come twice
        finally:
            service.stop()

    with db.read() as s:
        ids = s.execute(select(Item.external_id)).scalars().all()
        members = s.execute(select(EventItem.item_id)).scalars().all()
        report, *after = (
            s.execute(select(Deadline).where(Deadline.kind == "report").order_by(Deadline.id))
            .scalars()
            .all()
        )
        incident = s.execute(select(Incident)).scalar_one()
    assert len(ids) == len(set(ids)) == len(sent) and set(ids) == sent  # each once, none lost
    assert len(members) == len(set(members)) == len(sent)  # each in exactly one event
    assert report.state == "breached" and report.breached_at is not None
    assert report.breached_at - report.due_at >= timedelta(minutes=55)  # fired on the moved clock
    assert incident.level == 1  # the plan's deadline_missed rule raised it: Ⅰ's deadlines anew
    assert [d.state for d in after] == ["open"] and after[0].due_at > report.breached_at
    keys = Counter(h["X-Yuqing-Message"] for h, _ in hook.received)
    assert sum(1 for _, b in hook.received if b["title"] == "【督办】超时：报告领导") == 1
    assert len([k for k, n in keys.items() if n > 1]) <= 1 and max(keys.values()) <= 2
