"""In a real browser, the monitor's and the duty officer's everyday journeys: a monitor marks a
match irrelevant under a scheme; the duty officer confirms an event's level by hand with a
written reason, and it shows with who did it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import logged_in, screenshot
from tests.conftest import add_user
from tests.incident.test_workflow import T0
from tests.notify.test_delivery import POST
from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.events.stage import EventStage
from yuqing.judge.admin import SchemeForm, create_scheme
from yuqing.plan.versions import save, templates
from yuqing.store.db import Database

pytestmark = pytest.mark.browser


def test_monitor_marks_and_officer_confirms_a_level(
    live_server: str, browser, db: Database
) -> None:  # type: ignore[no-untyped-def]
    add_user(db, "mon", "monitor")
    add_user(db, "office1", "office")
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())
        scheme = create_scheme(s, SchemeForm(name="一中", subject_terms=["第一中学"]), Actor.cli())
        scheme_id = scheme.id
    intake = Intake(db, Actor.cli(), "weibo", "file", "t", lambda: T0)
    intake.store(
        [
            (1, ItemIn(id="a", text=POST, metrics={"comments": 120})),
            (2, ItemIn(id="b", text="第一中学招聘启事：诚聘数学教师两名", metrics={})),
        ]
    )
    EventStage(db).run(T0 + timedelta(minutes=1))

    monitor = logged_in(browser, live_server, "mon")
    monitor.goto(f"{live_server}/items?scheme={scheme_id}")
    row = monitor.locator("li:has-text('招聘启事')")
    row.locator("button[value=irrelevant]").click()
    monitor.wait_for_load_state()
    monitor.goto(f"{live_server}/items?scheme={scheme_id}")
    assert "✗" in monitor.locator("li:has-text('招聘启事') .matches").inner_text()
    screenshot(monitor, "items-marked")

    officer = logged_in(browser, live_server, "office1")
    officer.goto(f"{live_server}/events")
    officer.locator("#events tbody tr a").first.click()
    officer.wait_for_selector("#grade")
    officer.select_option("#ov-level", "2")
    officer.fill("#ov-reason", "值班员核实：已有家长聚集，确认Ⅱ级")
    officer.click("#grade button[type=submit]")
    officer.wait_for_selector("#grade")
    grade = officer.locator("#grade").inner_text()
    assert "Ⅱ级（重大）" in grade and "值班员核实：已有家长聚集，确认Ⅱ级" in grade
    assert "office1" in grade
    screenshot(officer, "event-level-confirmed")
