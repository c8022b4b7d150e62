"""A sending worker killed in the middle of a batch: after the restart every message has arrived,
none is lost, and the only message that can arrive twice — the one on the wire at the moment of
the kill — carries the same X-Yuqing-Message key, so the receiver keeps one copy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests.notify.servers import webhook
from tests.notify.test_delivery import KEY
from yuqing.audit.log import Actor
from yuqing.notify.admin import add_channel
from yuqing.notify.outbox import enqueue
from yuqing.notify.sender import LEASE, deliver_due
from yuqing.notify.tables import OutboxMessage
from yuqing.store.base import utcnow
from yuqing.store.db import Database

MESSAGES = 20


def test_killing_the_worker_mid_batch_loses_nothing(db: Database, tmp_path: Path) -> None:
    with webhook(delay=0.15) as hook:
        with db.write() as s:
            channel = add_channel(
                s,
                "值班群",
                "webhook",
                {"url": hook.url},
                ["office"],
                Actor.cli(),
                KEY,
                per_minute=1000,
            )
            now = utcnow()
            for i in range(MESSAGES):
                enqueue(s, [channel], f"test:{i}", "test", f"消息 {i}", "正文", now)
        env = {
            **os.environ,
            "YUQING_DATABASE_URL": db.url,
            "YUQING_SECRET_KEY": KEY,
            "YUQING_DATA_DIR": str(tmp_path),
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "yuqing.cli", "notify", "deliver"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while len(hook.received) < 5 and time.monotonic() < deadline:
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)  # the 5th is on the wire, unanswered
        worker.wait(10)
        assert len(hook.received) >= 5, worker.stderr.read() if worker.stderr else ""
        with db.read() as s:
            states = Counter(s.execute(select(OutboxMessage.state)).scalars())
        assert states["sending"] >= 1  # claimed, then the worker died

        restarted = utcnow() + LEASE + timedelta(seconds=1)  # the dead worker's lease ran out
        for _ in range(5):
            deliver_due(db, now=restarted, secret_key=KEY)
        keys = Counter(h["X-Yuqing-Message"] for h, _ in hook.received)
    with db.read() as s:
        ids = s.execute(select(OutboxMessage.id)).scalars().all()
        assert set(s.execute(select(OutboxMessage.state)).scalars()) == {"sent"}
    assert set(keys) == {f"yuqing-{i}" for i in ids}  # every message arrived
    twice = [k for k, n in keys.items() if n > 1]
    assert len(twice) <= 1 and all(n <= 2 for n in keys.values())
