"""The notification issue's journey: a level-Ⅱ warning in a drill reaches the on-duty officer's
own webhook through the running notifier, escalates to the leader on duty when nobody
acknowledges it in time, and the message's delivery log shows every step."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.conftest import add_user, login, make_settings
from tests.notify.servers import Hook, webhook
from tests.notify.test_delivery import KEY, POST
from yuqing.audit.log import Actor
from yuqing.collect.schema import ItemIn
from yuqing.notify.admin import add_channel
from yuqing.notify.duty import add_shift
from yuqing.notify.sender import deliver_due, sweep
from yuqing.notify.tables import OutboxMessage
from yuqing.notify.worker import Notifier
from yuqing.plan.versions import save, templates
from yuqing.replay.formats import Recorded
from yuqing.replay.run import replay
from yuqing.store.base import utcnow
from yuqing.store.db import Database

DATA_TIME = datetime(2020, 3, 1, 8, 0, tzinfo=UTC)  # the recorded stream's own clock


def _plan_with_officers_only_at_level2() -> str:
    text = templates()["enterprise-three-level"]
    old = "    notify: [office, approver]\n"
    assert old in text
    return text.replace(old, "    notify: [office]\n", 1)


def _wait_for(hook: Hook, count: int = 1, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while len(hook.received) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(hook.received) >= count, "nothing arrived"


def test_a_level2_drill_warning_reaches_the_officer_then_the_leader(
    db: Database, tmp_path: Path
) -> None:
    add_user(db, "zhang", "office")
    add_user(db, "li", "approver")
    add_user(db, "boss", "admin")
    settings = make_settings(tmp_path, db, secret_key=KEY)
    with webhook() as zhang, webhook() as li:
        with db.write() as s:
            save(s, _plan_with_officers_only_at_level2(), Actor.cli())
            for name, hook in (("zhang", zhang), ("li", li)):
                add_channel(
                    s,
                    f"{name}手机",
                    "webhook",
                    {"url": hook.url},
                    [],
                    Actor.cli(),
                    KEY,
                    drill=True,
                    owner=name,
                )
            now = utcnow()
            add_shift(
                s, now - timedelta(hours=1), now + timedelta(hours=23), "zhang", "li", Actor.cli()
            )
        notifier = Notifier(db, settings)
        notifier.start()
        warned: list[float] = []
        try:
            item = ItemIn(id="d1", text=POST, metrics={"comments": 230})
            replay(
                db,
                [Recorded(DATA_TIME, 1, item)],
                lambda line: warned.append(time.monotonic()) if line["type"] == "warning" else None,
                drill=True,
                source="drill-test",
            )
            _wait_for(zhang)
            arrived = time.monotonic()
        finally:
            notifier.stop()
        assert warned and arrived - warned[0] < 10
        body = zhang.received[0][1]
        assert body["title"].startswith("【演练】Ⅱ级（重大）·橙 预警发布")
        assert "值班：zhang；带班领导：li" in body["message"]
        assert not li.received  # Ⅱ is for the office; the leader hears only if nobody answers

        with db.read() as s:
            first = s.execute(select(OutboxMessage)).scalar_one()
        assert first.drill and first.sent_at is not None
        sweep(db, first.sent_at + timedelta(minutes=10))
        assert not li.received
        later = first.sent_at + timedelta(minutes=16)  # the plan's ack_within is 15 minutes
        sweep(db, later)
        deliver_due(db, now=later, secret_key=KEY)
        assert len(li.received) == 1
        assert li.received[0][1]["title"].startswith("【督办】【演练】Ⅱ级")
        assert "zhang（zhang手机） 16 分钟内未确认收到" in li.received[0][1]["message"]
        sweep(db, later + timedelta(minutes=1))
        deliver_due(db, now=later + timedelta(minutes=1), secret_key=KEY)
        assert len(li.received) == 1  # once


def test_the_message_log_shows_every_step(client, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    test_a_level2_drill_warning_reaches_the_officer_then_the_leader(db, tmp_path)
    add_user(db, "admin1", "admin")
    login(client, "admin1")
    with db.read() as s:
        first = s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().first()
    page = client.get(f"/channels/messages/{first.id}")
    assert page.status_code == 200
    text = page.text
    for step in ("已排队", "发送成功", "未确认", "督办", "li手机", "zhang手机", "演练"):
        assert step in text, step
    assert client.get("/channels/messages/999999").status_code == 404
