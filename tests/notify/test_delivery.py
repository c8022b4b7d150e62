"""Warnings reach the channels the plan names, through the outbox, with retries and a dead
letter; webhooks and email are real local servers."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from tests.notify.servers import smtp, webhook
from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.events.stage import EventStage
from yuqing.notify.admin import add_channel, send_test
from yuqing.notify.channels import ChannelInvalid, apprise_url, spec_of
from yuqing.notify.sender import MAX_ATTEMPTS, backoff, deliver_due
from yuqing.notify.tables import Delivery, OutboxMessage
from yuqing.plan.versions import save, templates
from yuqing.store.base import utcnow
from yuqing.store.db import Database

T0 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
KEY = "test-channel-secret"
POST = "某县第一中学食堂发生食物中毒，二十多名学生送医院治疗，家长质疑学校食品安全管理"


def _warn(db: Database) -> None:
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())
    intake = Intake(db, Actor.cli(), "weibo", "file", "t", lambda: T0)
    intake.store([(1, ItemIn(id="p1", text=POST, metrics={"comments": 523}))])
    EventStage(db).run(T0)


def _count(db: Database, **where: object) -> int:
    with db.read() as s:
        stmt = select(func.count()).select_from(OutboxMessage).filter_by(**where)
        return s.execute(stmt).scalar_one()


def test_a_level1_warning_reaches_the_office_webhook_in_chinese(db: Database) -> None:
    with webhook() as hook:
        with db.write() as s:
            add_channel(s, "值班群", "webhook", {"url": hook.url}, ["office"], Actor.cli(), KEY)
            add_channel(s, "部门群", "webhook", {"url": hook.url}, ["handler"], Actor.cli(), KEY)
        _warn(db)
        assert _count(db, state="pending") == 1  # Ⅰ notifies office, approver, admin: one channel
        report = deliver_due(db, secret_key=KEY, now=T0)
        assert report.sent == 1
        [(headers, body)] = hook.received
    assert body["title"].startswith("Ⅰ级（特别重大）·红 预警发布")
    assert "评论 523 ≥ 500" in body["message"] and "报告领导 30分钟内" in body["message"]
    assert "/events/" in body["message"] and "应急处置：" in body["message"]  # Ⅰ opens one
    assert headers["X-Yuqing-Message"].startswith("yuqing-")
    _warn(db)  # the same warning again: nothing new to say
    assert _count(db) == 1


def test_failures_are_retried_with_backoff_then_dead_and_admins_told(db: Database) -> None:
    with webhook([500, 500]) as flaky, webhook([500] * MAX_ATTEMPTS) as broken, webhook() as admin:
        with db.write() as s:
            add_channel(s, "flaky", "webhook", {"url": flaky.url}, ["office"], Actor.cli(), KEY)
            add_channel(s, "broken", "webhook", {"url": broken.url}, ["approver"], Actor.cli(), KEY)
            add_channel(s, "admins", "webhook", {"url": admin.url}, ["admin"], Actor.cli(), KEY)
        _warn(db)
        now = T0
        for _ in range(MAX_ATTEMPTS + 2):
            deliver_due(db, secret_key=KEY, now=now)
            now += timedelta(hours=1)
        assert len(flaky.received) == 1 and not broken.received
        titles = [b["title"] for _, b in admin.received]
    assert any(t == "【通知失败】消息未能送达" for t in titles)
    assert _count(db, state="dead") == 1
    with db.read() as s:
        attempts = s.execute(select(func.count()).select_from(Delivery)).scalar_one()
    assert attempts == 3 + MAX_ATTEMPTS + 2  # flaky 3, broken 6, admins 2 (warning + dead letter)
    assert backoff(1) == timedelta(seconds=5) and backoff(20) == timedelta(minutes=30)


def test_rate_limit_holds_a_busy_channel(db: Database) -> None:
    with webhook() as hook:
        with db.write() as s:
            c = add_channel(
                s, "robot", "webhook", {"url": hook.url}, ["office"], Actor.cli(), KEY, per_minute=2
            )
            for _ in range(3):
                send_test(s, c, Actor.cli())
        later = utcnow() + timedelta(seconds=1)
        report = deliver_due(db, secret_key=KEY, now=later)
        assert report.sent == 2 and report.held == [c.id]
        assert deliver_due(db, secret_key=KEY, now=later + timedelta(minutes=2)).sent == 1


def test_a_crashed_claim_is_taken_again_after_its_lease(db: Database) -> None:
    with webhook() as hook:
        with db.write() as s:
            c = add_channel(s, "robot", "webhook", {"url": hook.url}, ["office"], Actor.cli(), KEY)
            send_test(s, c, Actor.cli())

        def crash(*_: object) -> None:
            raise SystemExit("killed")  # the process dies mid-send

        soon = datetime.now(UTC) + timedelta(seconds=1)
        with pytest.raises(SystemExit):
            deliver_due(db, secret_key=KEY, now=soon, send=crash)
        assert _count(db, state="sending") == 1
        assert (
            deliver_due(db, secret_key=KEY, now=soon + timedelta(minutes=1)).sent == 0
        )  # lease still held
        assert deliver_due(db, secret_key=KEY, now=soon + timedelta(minutes=3)).sent == 1
        assert len(hook.received) == 1


def test_email_goes_through_smtp(db: Database) -> None:
    with smtp() as (port, messages):
        with db.write() as s:
            c = add_channel(
                s,
                "值班邮箱",
                "email",
                {
                    "host": "127.0.0.1",
                    "port": port,
                    "sender": "yuqing@example.cn",
                    "to": ["duty@example.cn"],
                },
                ["office"],
                Actor.cli(),
                KEY,
            )
            send_test(s, c, Actor.cli())
        assert (
            deliver_due(db, secret_key=KEY, now=datetime.now(UTC) + timedelta(seconds=1)).sent == 1
        )
    assert messages and messages[0].rcpt_tos == ["duty@example.cn"]
    mail = email.message_from_bytes(messages[0].content)
    assert "测试" in str(make_header(decode_header(mail["Subject"])))


def test_channel_settings_are_checked() -> None:
    with pytest.raises(ChannelInvalid, match="url"):
        spec_of("webhook", {"url": "ftp://x"})
    with pytest.raises(ChannelInvalid, match="unknown kind"):
        spec_of("pager", {})
    with pytest.raises(ChannelInvalid, match="to"):
        spec_of("email", {"host": "h", "sender": "a@b.cn", "to": []})
    url = apprise_url(spec_of("dingtalk", {"token": "abcdefgh1234", "secret": "SEC1"}))
    assert url == "dingtalk://SEC1@abcdefgh1234/"
    assert apprise_url(
        spec_of("sms", {"url": "https://gw.example.cn/send", "numbers": ["13800000000"]})
    ) == ("jsons://gw.example.cn/send?:to=13800000000")


def test_one_click_acknowledges_without_a_login(client, db: Database) -> None:  # type: ignore[no-untyped-def]
    from yuqing.notify.ack import ack_link

    secret = client.app.state.settings.secret_key
    with webhook() as hook:
        with db.write() as s:
            add_channel(s, "值班群", "webhook", {"url": hook.url}, ["office"], Actor.cli(), KEY)
        _warn(db)
        deliver_due(
            db, secret_key=KEY, now=T0, link=lambda i: ack_link(secret, "http://testserver", i)
        )
        [(_, body)] = hook.received
    link = body["message"].split("确认收到：")[1].strip()
    assert link.startswith("http://testserver/ack/")
    page = client.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200 and "已记录" in page.text
    assert "此前已确认" in client.get(link.removeprefix("http://testserver")).text
    with db.read() as s:
        message = s.execute(select(OutboxMessage)).scalar_one()
    assert message.acked_at is not None and message.acked_from
    assert client.get("/ack/forged-token").status_code == 400
    assert "/ack/" not in body["title"]


def test_secrets_are_sealed_at_rest(db: Database) -> None:
    from yuqing.notify.secrets import SecretUnreadable, unseal
    from yuqing.notify.tables import Channel

    with db.write() as s:
        add_channel(
            s,
            "钉钉",
            "dingtalk",
            {"token": "abcdefgh1234", "secret": "SECxyz"},
            ["office"],
            Actor.cli(),
            KEY,
        )
    with db.read() as s:
        stored = s.execute(select(Channel)).scalar_one().config
    assert stored["token"].startswith("enc:") and stored["secret"].startswith("enc:")
    assert "SECxyz" not in str(stored)
    assert unseal(stored, KEY) == {"token": "abcdefgh1234", "secret": "SECxyz"}
    with pytest.raises(SecretUnreadable, match="another secret key"):
        unseal(stored, "a different key")


def test_unacknowledged_warnings_go_up_the_chain_once(db: Database) -> None:
    from yuqing.notify.escalation import escalate_unacknowledged, next_roles
    from yuqing.plan.loader import load_plan

    plan = load_plan(templates()["enterprise-three-level"])  # ack_within 15m by default
    with webhook() as office, webhook() as leader:
        with db.write() as s:
            add_channel(s, "值班群", "webhook", {"url": office.url}, ["office"], Actor.cli(), KEY)
            add_channel(s, "领导群", "webhook", {"url": leader.url}, ["approver"], Actor.cli(), KEY)
        _warn(db)
        deliver_due(db, secret_key=KEY, now=T0)
        assert len(office.received) == 1 and len(leader.received) == 1  # Ⅰ tells both
        with db.write() as s:
            assert escalate_unacknowledged(s, plan, T0 + timedelta(minutes=10)) == 0
            # the office group goes to the leaders; nobody is above the leaders here
            assert escalate_unacknowledged(s, plan, T0 + timedelta(minutes=16)) == 1
            escalate_unacknowledged(s, plan, T0 + timedelta(minutes=30))  # not twice
        deliver_due(db, secret_key=KEY, now=T0 + timedelta(minutes=31))
    titles = [b["title"] for _, b in leader.received]
    assert titles[-1].startswith("【督办】Ⅰ级") and len(titles) == 2
    assert next_roles(["office"]) == ["approver"] and next_roles(["admin"]) == []


def test_time_to_acknowledge_by_level_and_channel(client, db: Database) -> None:  # type: ignore[no-untyped-def]
    from yuqing.notify.ack import ack_link, acknowledge
    from yuqing.notify.queries import ack_figures

    with webhook() as hook:
        with db.write() as s:
            add_channel(s, "值班群", "webhook", {"url": hook.url}, ["office"], Actor.cli(), KEY)
        _warn(db)
        deliver_due(db, secret_key=KEY, now=T0, link=lambda i: ack_link(KEY, "http://x", i))
        link = hook.received[0][1]["message"].split("确认收到：")[1].strip()
    with db.write() as s:
        acknowledge(s, KEY, link.rsplit("/", 1)[1], T0 + timedelta(minutes=4), "127.0.0.1")
    with db.read() as s:
        by_level, by_channel = ack_figures(s)
    assert [(f.label, f.sent, f.acked, f.median_minutes) for f in by_level] == [("1", 1, 1, 4.0)]
    assert by_channel[0].label == "值班群"


def test_low_levels_go_out_in_a_digest(db: Database) -> None:
    from yuqing.notify.digest import flush_digests
    from yuqing.plan.loader import load_plan

    text = templates()["enterprise-three-level"].replace(
        "  lift_role: approver\n",
        "  lift_role: approver\n  digest_from: 3\n  digest_every: 30m\n",
        1,
    )
    plan = load_plan(text)
    with webhook() as hook:
        with db.write() as s:
            save(s, text, Actor.cli())
            add_channel(s, "值班群", "webhook", {"url": hook.url}, ["office"], Actor.cli(), KEY)
        intake = Intake(db, Actor.cli(), "weibo", "file", "t", lambda: T0)
        intake.store(
            [
                (1, ItemIn(id="a", text=POST, metrics={"comments": 60})),
                (
                    2,
                    ItemIn(
                        id="b",
                        text="高速公路连环追尾事故造成交通拥堵，交警正在现场处置",
                        metrics={"comments": 70},
                    ),
                ),
            ]
        )
        EventStage(db).run(T0)
        assert _count(db, state="held") == 2 and deliver_due(db, secret_key=KEY, now=T0).sent == 0
        with db.write() as s:
            assert flush_digests(s, plan, T0 + timedelta(minutes=10)) == 0  # not yet
        with db.write() as s:
            assert flush_digests(s, plan, T0 + timedelta(minutes=31)) == 1
        assert deliver_due(db, secret_key=KEY, now=T0 + timedelta(minutes=31)).sent == 1
        [(_, body)] = hook.received
    assert body["title"] == "【预警摘要】2 条" and body["message"].count("Ⅲ级（一般）") == 2
    assert _count(db, state="digested") == 2
