"""The incident API: the same rules as the console, refusals as 409 with the reason, and the
department scope (a handler cannot read another department's incident by guessing its id)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import add_user, login
from tests.incident.test_workflow import _start
from yuqing.access.tables import Department
from yuqing.store.db import Database


def test_the_api_follows_the_rules_and_the_scope(client: TestClient, db: Database) -> None:
    incident = _start(db)
    add_user(db, "office1", "office")
    add_user(db, "wang", "handler", department="宣传部")
    add_user(db, "zhao", "handler", department="信访局")
    base = f"/api/v1/incidents/{incident.id}"

    headers = {"X-CSRF-Token": login(client, "office1")}
    r = client.post(f"{base}/state", json={"target": "archived"}, headers=headers)
    assert r.status_code == 409 and "不能直接转为" in r.json()["detail"]
    assert (
        client.post(f"{base}/state", json={"target": "responding"}, headers=headers).json()["state"]
        == "responding"
    )
    with db.read() as s:
        dept = s.execute(select(Department).where(Department.name == "宣传部")).scalar_one()
    task = client.post(
        f"{base}/tasks",
        json={"kind": "verify", "title": "核实", "department_id": dept.id},
        headers=headers,
    ).json()
    statement = client.post(
        f"{base}/statements",
        json={"kind": "first", "text": "关于学生身体不适的情况通报。"},
        headers=headers,
    ).json()
    assert statement["state"] == "draft" and statement["approver_role"] == "网络舆情办公室主任"
    r = client.post(
        f"/api/v1/statements/{statement['id']}/publish", json={"channel": "微博"}, headers=headers
    )
    assert r.status_code == 409
    detail = client.get(base).json()
    assert {d["kind"] for d in detail["deadlines"]} >= {"report", "first_response", "resolve"}
    assert any(e["text"].startswith("开启处置（Ⅱ级）") for e in detail["timeline"])
    opened = client.post(
        "/api/v1/incidents",
        json={"event_id": incident.event_id, "reason": "重复开启一次"},
        headers=headers,
    )
    assert opened.json()["id"] == incident.id

    headers = {"X-CSRF-Token": login(client, "zhao")}
    assert client.get(base).status_code == 404
    assert client.get("/api/v1/incidents").json() == []
    r = client.post(
        f"/api/v1/tasks/{task['id']}/done", json={"result": "不是我的"}, headers=headers
    )
    assert r.status_code == 404

    headers = {"X-CSRF-Token": login(client, "wang")}
    mine = client.get(base).json()
    assert [t["title"] for t in mine["tasks"]] == ["核实"]
    assert mine["statements"] == [] and mine["timeline"] == []
    done = client.post(
        f"/api/v1/tasks/{task['id']}/done", json={"result": "已核实"}, headers=headers
    )
    assert done.json()["state"] == "done"
    assert (
        client.post(f"{base}/state", json={"target": "following"}, headers=headers).status_code
        == 403
    )
