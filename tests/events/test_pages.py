"""The plan, drill, event and warning pages, from a plan template to a lifted warning."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import add_user, login
from yuqing.events.tables import Event
from yuqing.plan.versions import templates
from yuqing.store.db import Database
from yuqing.warn.tables import Warning_

T0 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
POST = "某县第一中学食堂发生食物中毒，二十多名学生送医院治疗，家长质疑学校食品安全管理"


def _drill_file() -> bytes:
    lines = [{"id": "p1", "source": "演练", "text": POST, "observed_at": T0.isoformat()}]
    lines += [
        {
            "id": f"r{i}",
            "source": "演练",
            "text": f"第{i}条：食堂必须给个说法",
            "reply_to": "p1",
            "observed_at": (T0 + timedelta(minutes=i)).isoformat(),
        }
        for i in range(1, 61)
    ]
    return "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode()


def test_plan_drill_event_and_warning_pages(client: TestClient, db: Database) -> None:
    add_user(db, "boss", "admin")
    csrf = login(client, "boss")
    assert "县网信办四级预案" in client.get("/plans").text
    text = client.get("/plans?template=enterprise-three-level").text
    assert "reads &gt;= 3000 or comments &gt;= 500" in text
    wrong = templates()["enterprise-three-level"].replace("comments >= 50 or", "coments >= 50 or")
    refused = client.post("/plans", data={"csrf_token": csrf, "text": wrong, "activate": "on"})
    assert refused.status_code == 422 and "unknown metric" in refused.text
    assert "coments &gt;= 50" in refused.text  # what was typed comes back
    lowered = templates()["enterprise-three-level"].replace(
        "comments >= 50 or items >= 50", "comments >= 30 or items >= 30"
    )
    saved = client.post(
        "/plans",
        data={"csrf_token": csrf, "text": lowered, "activate": "on", "note": "门槛 30"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "comments &gt;= 30 or items &gt;= 30" in page and "生效中" in page

    started = client.post(
        "/drills",
        data={"csrf_token": csrf, "speed": "max"},
        files={"file": ("drill.jsonl", _drill_file(), "application/jsonl")},
        follow_redirects=False,
    )
    assert started.status_code == 303
    deadline = time.monotonic() + 30
    while "已结束" not in client.get("/drills").text:
        assert time.monotonic() < deadline, client.get("/drills").text
        time.sleep(0.2)
    assert "暂无事件" in client.get("/events").text  # the drill left no real event
    assert "/events/" not in client.get("/events").text  # real events: none
    listing = client.get("/events?drill=1").text
    assert "演练" in listing and "Ⅲ级（一般）" in listing
    with db.read() as s:
        event = s.execute(select(Event)).scalar_one()
        warning = s.execute(select(Warning_)).scalar_one()
    assert event.drill and warning.drill
    detail = client.get(f"/events/{event.id}").text
    assert "评论 30 ≥ 30" in detail or "信息量 30 ≥ 30" in detail
    assert "data-chart=" in detail and "预警记录" in detail
    assert client.get("/warnings").text.count("/lift") == 0
    assert f"/warnings/{warning.id}/lift" in client.get("/warnings?drill=1").text

    r = client.post(
        f"/events/{event.id}/edit",
        data={"csrf_token": csrf, "title": "一中食堂食物中毒", "keywords": "食堂，中毒"},
        follow_redirects=True,
    )
    assert "一中食堂食物中毒" in r.text
    r = client.post(
        f"/events/{event.id}/override",
        data={"csrf_token": csrf, "level": "1", "reason": "涉学生健康，提级"},
        follow_redirects=True,
    )
    assert "人工定级" in r.text and "涉学生健康，提级" in r.text
    r = client.post(
        f"/warnings/{warning.id}/lift",
        data={"csrf_token": csrf, "reason": "演练结束"},
        follow_redirects=True,
    )
    assert r.status_code == 200
    with db.read() as s:
        assert s.get(Warning_, warning.id).state == "lifted"
    api = client.get(f"/api/v1/events/{event.id}").json()
    assert api["drill"] and api["title"] == "一中食堂食物中毒"
    assert api["timeline"] and [s["action"] for s in api["warning_steps"]][-1] == "lifted"


def test_event_pages_refuse_what_they_should(client: TestClient, db: Database) -> None:
    add_user(db, "watcher", "viewer")
    csrf = login(client, "watcher")
    assert client.get("/events").status_code == 200
    assert client.get("/events/424242").status_code == 404
    assert (
        client.post("/events/1/merge", data={"csrf_token": csrf, "others": "2"}).status_code == 403
    )
    assert client.get("/drills").status_code == 403
    assert client.post("/plans", data={"csrf_token": csrf, "text": "x"}).status_code == 403


def test_the_items_page_filters_by_event(client: TestClient, db: Database) -> None:
    from yuqing.audit.log import Actor
    from yuqing.collect.intake import Intake
    from yuqing.collect.schema import ItemIn
    from yuqing.events.stage import EventStage

    intake = Intake(db, Actor.cli(), "weibo", "file", "test")
    intake.store(
        [
            (1, ItemIn(id="p1", text=POST)),
            (2, ItemIn(id="r1", text="学校必须回应", reply_to="p1")),
            (3, ItemIn(id="x", text="高速公路连环追尾事故造成交通拥堵")),
        ]
    )
    EventStage(db).run()
    with db.read() as s:
        event = s.execute(select(Event).order_by(Event.items.desc())).scalars().first()
    add_user(db, "eye", "monitor")
    login(client, "eye")
    page = client.get(f"/items?event={event.id}").text
    assert "学校必须回应" in page and "追尾" not in page and f"#{event.id}" in page
