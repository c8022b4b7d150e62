"""Stored strings come back as text, never as markup: an item's, an incident's and a statement's
words on the pages, in the report HTML and in the incident API."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests.conftest import add_user, login
from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.events.stage import EventStage
from yuqing.incident.opening import Opening, open_incident
from yuqing.incident.statements import draft
from yuqing.plan.versions import save, templates
from yuqing.report.render import to_html
from yuqing.report.service import Request, load, make
from yuqing.store.db import Database

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_stored_strings_are_escaped_everywhere(client: TestClient, db: Database) -> None:
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())
    intake = Intake(db, Actor.cli(), "weibo", "file", "t", lambda: T0)
    intake.store([(1, ItemIn(id="x", text=f"食堂 {EVIL} 学生", metrics={"comments": 200}))])
    EventStage(db).run(T0)
    with db.write() as s:
        incident = open_incident(s, Opening(f"处置 {EVIL}", 2, f"理由 {EVIL}"), Actor.cli(), T0)
        draft(s, incident, "first", f"回应 {EVIL} 的内容说明", Actor.cli(), T0)
        incident_id = incident.id
        row = make(s, Request("flash", subject_id=incident_id), Actor.cli(), T0, SHANGHAI)
        report = load(row)
    add_user(db, "office1", "office")
    login(client, "office1")
    for path in (
        "/events",
        "/events/1",
        "/items",
        f"/incidents/{incident_id}",
        "/incidents",
        "/dashboard",
        "/warnings",
    ):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
    assert "&lt;script&gt;" in client.get(f"/incidents/{incident_id}").text
    html = to_html(report)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    detail = client.get(f"/api/v1/incidents/{incident_id}").json()
    assert detail["title"] == f"处置 {EVIL}"  # JSON carries the text as it was given
