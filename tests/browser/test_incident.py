"""In a real browser, the incident issue's journey: a drill's level-Ⅱ warning opens an incident;
the office dispatches a task to a department whose handler sees only that; a missed deadline
escalates; the approver approves the statement, the office publishes it; the approver ends the
emergency; and the review shows the true times from the record."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser.conftest import logged_in, screenshot
from tests.browser.test_drill import SHANGHAI, T0, _stream
from tests.conftest import add_user
from yuqing.audit.log import Actor
from yuqing.events.stage import EventStage
from yuqing.incident.sweeper import sweep
from yuqing.incident.tables import Incident
from yuqing.plan.versions import save, templates
from yuqing.store.base import utcnow
from yuqing.store.db import Database

pytestmark = pytest.mark.browser


def test_a_drill_incident_from_warning_to_archived_review(
    live_server: str, browser, db: Database, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    for name, role, dept in (
        ("office1", "office", "舆情办公室"),
        ("boss", "approver", "舆情办公室"),
        ("wang", "handler", "宣传部"),
        ("zhao", "handler", "信访局"),
    ):
        add_user(db, name, role, department=dept)
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())

    office = logged_in(browser, live_server, "office1")
    office.goto(f"{live_server}/drills")
    office.set_input_files("#drill-file", str(_stream(tmp_path / "drill.jsonl")))
    office.select_option("#speed", "max")
    office.click("form[action='/drills'] button[type=submit]")
    deadline = time.monotonic() + 60
    while "已结束" not in office.locator("#drill-runs").inner_text():
        assert time.monotonic() < deadline
        time.sleep(0.3)
        office.reload()

    office.goto(f"{live_server}/incidents?drill=1")
    card = office.locator("section[data-state=detected] .incident-card").first
    assert "Ⅱ级" in card.inner_text() and "报告领导" in card.inner_text()
    screenshot(office, "incident-board")
    card.click()
    office.wait_for_selector("#deadlines")
    url = office.url
    incident_id = int(url.rsplit("/", 1)[1])
    assert "开启处置（Ⅱ级）" in office.locator("#timeline").inner_text()
    office.click("text=转为「响应中」")
    office.wait_for_url(url)
    assert office.locator("#state").inner_text() == "响应中"

    office.select_option("#task-dept", label="宣传部")
    office.fill("#task-title", "核实食堂情况并报告")
    office.fill("#task-hours", "2")
    office.click("#task-form button[type=submit]")
    office.wait_for_selector("#tasks td:has-text('核实食堂情况并报告')")
    office.fill("#st-text", "关于某县第一中学学生身体不适情况的通报：学生已送医，正在核实。")
    office.click("#statement-form button[type=submit]")
    office.click("#statements form[action$='/submit'] button")
    office.wait_for_selector("#statements .badge:has-text('待审批')")

    # The clock moves past the report deadline: the sweeper escalates (督办) and the plan
    # raises the level by one for a missed deadline.
    later = utcnow() + timedelta(minutes=61)
    assert sweep(db, later)[1] >= 1
    EventStage(db, drill=True).run(later + timedelta(minutes=1))
    office.reload()
    assert "已超时督办" in office.locator("#deadlines").inner_text()
    assert "Ⅰ级" in office.locator("#summary h1").inner_text()
    assert "级别 Ⅱ级 → Ⅰ级" in office.locator("#timeline").inner_text()

    zhao = logged_in(browser, live_server, "zhao")
    response = zhao.goto(url)
    assert response is not None and response.status == 404
    zhao.goto(f"{live_server}/tasks")
    assert "没有任务" in zhao.content()

    wang = logged_in(browser, live_server, "wang")
    wang.goto(f"{live_server}/tasks")
    assert "核实食堂情况并报告" in wang.locator("#my-tasks").inner_text()
    screenshot(wang, "my-tasks")
    wang.fill("#my-tasks textarea", "已核实：12 名学生不适，均已出院")
    wang.click("#my-tasks button[type=submit]")
    wang.wait_for_load_state()
    wang.goto(url)
    assert "关于某县第一中学" not in wang.content()  # a draft is not the department's

    boss = logged_in(browser, live_server, "boss")
    boss.goto(url)
    boss.fill("#statements input[name=note]", "同意发布")
    boss.click("#statements button[value=approve]")
    boss.wait_for_selector("#statements .badge:has-text('已批准')")

    office.reload()
    office.fill("#statements input[name=channel]", "官方微博")
    office.fill("#statements input[name=url]", "https://weibo.com/example/1")
    office.click("#statements form[action$='/publish'] button")
    office.wait_for_selector("#statements .badge:has-text('已发布')")
    assert office.locator("#state").inner_text() == "已回应"
    office.click("text=转为「跟踪」")
    office.wait_for_url(url)
    screenshot(office, "incident")

    boss.reload()
    boss.fill("#end-note", "舆情平稳，已无新增")
    boss.click("text=结束应急状态（平息）")
    boss.wait_for_url(url)
    assert boss.locator("#state").inner_text() == "平息"

    office.reload()
    office.click("text=转为「总结评估」")
    office.wait_for_url(url)
    office.fill("#lessons", "报告领导超时：夜间值班须直接电话报告分管领导。")
    office.click("#review form button[type=submit]")
    office.wait_for_selector("#review-figures")
    with db.read() as s:
        incident = s.get(Incident, incident_id)
        answered = (incident.answered_at - incident.opened_at).total_seconds() / 60
        review = incident.review
    figures = office.locator("#review-figures").inner_text()
    assert (
        f"{round(answered, 1)}" in figures
        and review["deadlines_late"] + review["deadlines_missed"] >= 1
    )
    assert (
        "超时完成" in office.locator("#review").inner_text()
        or "未完成" in office.locator("#review").inner_text()
    )
    screenshot(office, "incident-review")
    office.click("text=转为「归档」")
    office.wait_for_url(url)
    assert office.locator("#state").inner_text() == "归档"
    with db.read() as s:
        assert s.execute(select(Incident.state)).scalars().all() == ["archived"]

    # After the drill: the daily report, the special report, the review and the ledger.
    reports = {}
    for kind, fields in (
        ("daily", {"#day": T0.astimezone(SHANGHAI).date().isoformat()}),
        ("special", {"#subject": str(incident.event_id)}),
        ("review", {"#subject": str(incident_id)}),
        ("ledger", {"#start": "2026-01-01T00:00", "#end": "2030-01-01T00:00"}),
    ):
        office.goto(f"{live_server}/reports")
        office.select_option("#kind", kind)
        for selector, value in fields.items():
            office.fill(selector, value)
        if kind in ("daily", "ledger"):
            office.check("#make-report input[name=drill]")
        office.click("#make-report button[type=submit]")
        office.wait_for_selector("iframe.report-frame")
        fmt = "xlsx" if kind == "ledger" else "docx"
        with office.expect_download() as info:
            office.click(f"#download-{fmt}")
        path = tmp_path / f"{kind}.{fmt}"
        info.value.save_as(str(path))
        reports[kind] = path
    screenshot(office, "report")

    from docx import Document
    from openpyxl import load_workbook

    daily = Document(str(reports["daily"]))
    assert any("本期共监测到相关信息 130 条" in p.text for p in daily.paragraphs)
    assert len(daily.inline_shapes) >= 2
    special = Document(str(reports["special"]))
    assert any("共 130 条信息" in p.text for p in special.paragraphs)
    review = Document(str(reports["review"]))
    cells = [c.text for t in review.tables for row in t.rows for c in row.cells]
    assert f"{round(answered, 1)}" in cells
    ledger = load_workbook(str(reports["ledger"]))
    rows = list(ledger.worksheets[0].iter_rows(values_only=True))
    at = next(n for n, r in enumerate(rows) if r[0] == "编号")
    row = dict(zip(rows[at], rows[at + 1], strict=True))
    assert (
        row["编号"] == incident_id
        and row["状态"] == "归档"
        and row["最高级别"] == "Ⅰ级（特别重大）"
    )
    assert row["超时"] >= 1  # the Ⅱ report deadline the sweeper found breached

    office.goto(f"{live_server}/dashboard?drill=1")
    office.wait_for_selector("#today-chart canvas")
    assert "生效预警" in office.locator("#situation").inner_text()
    screenshot(office, "dashboard")
