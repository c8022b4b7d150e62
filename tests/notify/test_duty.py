"""The duty roster: who is on duty, and warnings reaching them on their own channels."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from tests.conftest import add_user
from tests.notify.servers import webhook
from tests.notify.test_delivery import KEY, T0, _warn
from yuqing.audit.log import Actor
from yuqing.notify.admin import add_channel
from yuqing.notify.duty import add_shift, day_kind, on_duty, rota
from yuqing.notify.sender import deliver_due
from yuqing.notify.tables import OutboxMessage
from yuqing.store.db import Database


def test_rota_marks_holidays_and_make_up_days() -> None:
    shifts = rota(date(2026, 9, 30), 11, ["a", "b"], ["x"], time(8, 30))
    assert [s[4] for s in shifts][:2] == ["workday", "holiday"]  # 30 Sep, 1 Oct (National Day)
    assert shifts[10][4] == "makeup"  # Saturday 10 October is a make-up workday
    assert shifts[0][0] == datetime(2026, 9, 30, 0, 30, tzinfo=UTC)  # 08:30 Beijing
    assert shifts[0][1] == shifts[1][0] and [s[2] for s in shifts[:3]] == ["a", "b", "a"]
    assert day_kind(date(2026, 11, 21)) == "holiday"  # an ordinary Saturday


def test_the_officer_on_duty_hears_every_warning_the_leader_the_serious_ones(db: Database) -> None:
    add_user(db, "zhang", "office")
    add_user(db, "li", "approver")
    with webhook() as zhang, webhook() as li:
        with db.write() as s:
            add_channel(
                s, "张三手机", "webhook", {"url": zhang.url}, [], Actor.cli(), KEY, owner="zhang"
            )
            add_channel(s, "李四手机", "webhook", {"url": li.url}, [], Actor.cli(), KEY, owner="li")
            add_shift(
                s, T0 - timedelta(hours=1), T0 + timedelta(hours=23), "zhang", "li", Actor.cli()
            )
            assert on_duty(s, T0) is not None and on_duty(s, T0 + timedelta(days=2)) is None
        _warn(db)  # Ⅰ: notifies office, approver, admin
        deliver_due(db, secret_key=KEY, now=T0)
        assert len(zhang.received) == 1 and len(li.received) == 1
        assert "值班：zhang；带班领导：li" in zhang.received[0][1]["message"]
    with db.read() as s:
        assert s.execute(select(OutboxMessage.channel_id)).scalars().all()


def test_duty_commands(run, db: Database) -> None:  # type: ignore[no-untyped-def]
    add_user(db, "zhang", "office")
    code, out = run("duty", "rota", "--from", "2026-09-30", "--days", "2", "--officers", "zhang")
    assert code == 0 and "holiday" in out.splitlines()[1]
    assert (
        run(
            "duty",
            "add",
            "--from",
            "2026-12-01 08:30",
            "--to",
            "2026-12-01 08:00",
            "--officer",
            "zhang",
        )[0]
        == 1
    )
    code, out = run(
        "duty",
        "add",
        "--from",
        "2026-12-01 08:30",
        "--to",
        "2026-12-02 08:30",
        "--officer",
        "nobody",
    )
    assert code == 1 and "nobody" in out
