"""Reports in the console: made from the form, shown, downloaded in every format, scheduled,
and a flash report drafted for each new incident, edited and sent through the channels."""

from __future__ import annotations

import io
from datetime import timedelta

from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import add_user, login, make_settings
from tests.incident.test_workflow import T0
from tests.notify.test_delivery import KEY
from tests.report.test_reports import DAY, _handled
from yuqing.audit.log import Actor
from yuqing.notify.admin import add_channel
from yuqing.notify.tables import OutboxMessage
from yuqing.report.schedule import due_periodic, sweep
from yuqing.report.tables import ReportRow
from yuqing.store.db import Database


def test_make_show_and_download(client: TestClient, db: Database) -> None:
    _handled(db)
    add_user(db, "office1", "office")
    add_user(db, "reader", "viewer")
    csrf = login(client, "office1")
    r = client.post(
        "/reports",
        data={"csrf_token": csrf, "kind": "daily", "day": DAY.isoformat()},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "2026年11月23日舆情日报" in page.text and "<iframe" in page.text
    report_id = int(r.headers["location"].rsplit("/", 1)[1])
    docx = client.get(f"/reports/{report_id}/docx")
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert any(
        "本期共监测到相关信息 1 条" in p.text for p in Document(io.BytesIO(docx.content)).paragraphs
    )
    xlsx = load_workbook(io.BytesIO(client.get(f"/reports/{report_id}/xlsx").content))
    assert xlsx.active["A1"].value == "2026年11月23日舆情日报"
    assert client.get(f"/reports/{report_id}/pdf").content.startswith(b"%PDF")
    assert "舆情日报" in client.get(f"/reports/{report_id}/html").text
    assert client.get(f"/reports/{report_id}/exe").status_code == 404
    bad = client.post(
        "/reports", data={"csrf_token": csrf, "kind": "special"}, follow_redirects=True
    )
    assert "请指定事件或处置编号" in bad.text

    csrf = login(client, "reader")
    assert client.get(f"/reports/{report_id}").status_code == 200
    assert client.post("/reports", data={"csrf_token": csrf, "kind": "daily"}).status_code == 403


def test_scheduled_reports_and_the_flash_report(client: TestClient, db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    incident_id = _handled(db)
    settings = make_settings(tmp_path, db)
    with db.write() as s:
        add_channel(
            s, "领导", "webhook", {"url": "http://127.0.0.1:9/x"}, ["approver"], Actor.cli(), KEY
        )
        add_channel(
            s, "办公室", "webhook", {"url": "http://127.0.0.1:9/y"}, ["office"], Actor.cli(), KEY
        )
    monday_7 = T0 + timedelta(days=7) - timedelta(hours=3)  # Monday 30 Nov, 07:00 Beijing
    assert [r.kind for r in due_periodic(monday_7, settings)] == []
    monday_8 = monday_7 + timedelta(hours=1)
    assert [r.kind for r in due_periodic(monday_8, settings)] == ["daily", "weekly"]
    assert sweep(db, settings, T0 + timedelta(hours=5)) == 3  # daily, weekly (a Monday), flash
    assert sweep(db, settings, T0 + timedelta(hours=6)) == 0  # never twice
    with db.read() as s:
        rows = s.execute(select(ReportRow).order_by(ReportRow.id)).scalars().all()
        kinds = [(r.kind, r.scheduled, r.subject_id) for r in rows]
        flash_id = next(r.id for r in rows if r.kind == "flash")
        told = s.execute(select(OutboxMessage.title)).scalars().all()
    assert ("flash", True, incident_id) in kinds and ("daily", True, None) in kinds
    assert any(t.startswith("【报告】舆情快报") for t in told)

    add_user(db, "office1", "office")
    csrf = login(client, "office1")
    page = client.get(f"/reports/{flash_id}").text
    assert "【舆情快报】Ⅱ级（重大）" in page
    text = "【舆情快报】Ⅱ级（重大）：某县第一中学学生身体不适\n已送医，正在核实。"
    client.post(f"/reports/{flash_id}/text", data={"csrf_token": csrf, "text": text})
    r = client.post(
        f"/reports/{flash_id}/send",
        data={"csrf_token": csrf, "roles": "approver"},
        follow_redirects=True,
    )
    assert "已加入发送队列" in r.text
    with db.read() as s:
        sent = (
            s.execute(
                select(OutboxMessage).where(
                    OutboxMessage.dedup_key.startswith(f"report:{flash_id}:send")
                )
            )
            .scalars()
            .all()
        )
    assert len(sent) == 1 and sent[0].title == "【舆情快报】Ⅱ级（重大）：某县第一中学学生身体不适"
    assert "已送医，正在核实。" in sent[0].body
