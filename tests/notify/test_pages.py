"""An admin adds a channel in the console, sends a test, and sees the delivery."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import add_user, login
from tests.notify.servers import webhook
from yuqing.store.db import Database


def test_add_test_and_disable_a_channel(client: TestClient, db: Database) -> None:
    add_user(db, "boss", "admin")
    csrf = login(client, "boss")
    assert "尚未添加渠道" in client.get("/channels").text
    refused = client.post(
        "/channels",
        data={"csrf_token": csrf, "name": "钉钉", "kind": "dingtalk", "roles": "office"},
    )
    assert refused.status_code == 422 and "token" in refused.text
    with webhook([500]) as hook:
        r = client.post(
            "/channels",
            data={
                "csrf_token": csrf,
                "name": "值班群",
                "kind": "webhook",
                "url": hook.url,
                "roles": ["office", "approver"],
                "per_minute": "20",
            },
            follow_redirects=True,
        )
        assert "值班群" in r.text and "领导·发言人" in r.text
        channel_id = r.text.split("/channels/")[1].split("/")[0]
        failed = client.post(
            f"/channels/{channel_id}/test", data={"csrf_token": csrf}, follow_redirects=True
        )
        assert "发送失败" in failed.text and "待发送" in failed.text
        sent = client.post(
            f"/channels/{channel_id}/test", data={"csrf_token": csrf}, follow_redirects=True
        )
        assert "测试消息已发出" in sent.text and "已发送" in sent.text
        assert hook.received and hook.received[0][1]["title"] == "【测试】舆情系统通知测试"
    off = client.post(
        f"/channels/{channel_id}/toggle", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert "已停用" in off.text


def test_only_admins_manage_channels(client: TestClient, db: Database) -> None:
    add_user(db, "duty", "office")
    login(client, "duty")
    assert client.get("/channels").status_code == 403


def test_the_duty_page_shows_who_is_on_duty(client: TestClient, db: Database) -> None:
    add_user(db, "boss", "admin")
    add_user(db, "zhang", "office")
    csrf = login(client, "boss")
    assert "当前无人值班" in client.get("/duty").text
    bad = client.post(
        "/duty", data={"csrf_token": csrf, "starts": "2026-13-01", "ends": "x", "officer": "zhang"}
    )
    assert bad.status_code == 422
    r = client.post(
        "/duty",
        data={
            "csrf_token": csrf,
            "starts": "2020-01-01 08:30",
            "ends": "2099-01-01 08:30",
            "officer": "zhang",
            "leader": "boss",
        },
        follow_redirects=True,
    )
    assert "当前值班" in r.text and "<strong>zhang</strong>" in r.text
