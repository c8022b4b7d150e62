"""Stored XSS, checked where it would happen: in chromium. Every string a person or a feed can
store — an item's text, title and author, a scheme, an event's edited title and
keywords, an incident, a task, a statement, a department, a user's name — carries payloads that
would run script if they were ever put into a page as markup (in text, in an attribute, in the
JSON a chart reads inside <script>). Each page is opened and must run none of them: no dialog,
no marker set on the window."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import logged_in, screenshot
from tests.conftest import add_user
from tests.incident.test_workflow import T0
from yuqing.access import accounts
from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.events import admin as event_admin
from yuqing.events.stage import EventStage
from yuqing.events.tables import Event
from yuqing.incident import statements, work
from yuqing.incident.opening import Opening, open_incident
from yuqing.judge.admin import SchemeForm, create_scheme
from yuqing.plan.versions import save, templates
from yuqing.report.service import Request, make
from yuqing.store.db import Database

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Each payload would set window.__xss (or open a dialog) if it reached the page as markup.
EVIL = (
    "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>"
    "\"'><b id=xss-attr>b</b></script><script>window.__xss=3</script>{{7*7}}"
)
SHORT = "<img src=x onerror=window.__xss=4>\"'><b id=xss-attr>"  # for fields of 100 characters


def _world(db: Database) -> dict[str, int]:
    add_user(db, "office1", "office")
    add_user(db, "boss", "admin")
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())
        scheme = create_scheme(
            s, SchemeForm(name=f"方案{EVIL}", subject_terms=["食堂"]), Actor.cli()
        )
        department = accounts.ensure_department(s, f"部门{SHORT}", Actor.cli())
        boss = accounts.get_user(s, "boss")
        boss.display_name = f"领导{SHORT}"
        ids = {"scheme": scheme.id, "department": department.id}
    intake = Intake(db, Actor.cli(), "weibo", "file", "t", lambda: T0)
    stored = intake.store(
        [
            (
                n,
                ItemIn(
                    id=f"x{n}",
                    title=f"标题{EVIL}",
                    text=f"一中食堂饭菜发霉 {EVIL} 学生腹泻（{n}）",
                    author={"name": f"作者{EVIL}", "kind": "media", "followers": 90000},
                    published_at=T0 - timedelta(minutes=40 - n),
                    metrics={"comments": 230 if n == 0 else 3, "reposts": 5},
                    reply_to="x0" if n else None,
                ),
            )
            for n in range(6)
        ]
    )
    assert stored.created == 6, stored.errors
    EventStage(db).run(T0)
    with db.write() as s:
        event_id = s.query(Event.id).order_by(Event.id).first()[0]
        event_admin.edit(s, event_id, f"事件{EVIL}", [f"词{EVIL}", "食堂"], Actor.cli())
        incident = open_incident(s, Opening(f"处置{EVIL}", 2, f"理由{EVIL}"), Actor.cli(), T0)
        work.add_task(
            s, incident, "verify", f"核实{EVIL}", department.id, None, None, Actor.cli(), T0
        )
        statements.draft(s, incident, "first", f"回应{EVIL}的内容说明", Actor.cli(), T0)
        report = make(s, Request("special", subject_id=event_id), Actor.cli(), T0, SHANGHAI)
        ids |= {"event": event_id, "incident": incident.id, "report": report.id}
    return ids


def test_no_stored_string_runs_as_script_on_any_page(
    live_server: str, browser, db: Database
) -> None:  # type: ignore[no-untyped-def]
    ids = _world(db)
    dialogs: list[str] = []
    page = logged_in(browser, live_server, "boss")
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    paths = [
        "/dashboard",
        "/items",
        "/items/1",
        "/events",
        f"/events/{ids['event']}",
        "/warnings",
        "/incidents",
        f"/incidents/{ids['incident']}",
        "/cases",
        "/tasks",
        "/schemes",
        f"/schemes/{ids['scheme']}",
        "/sources",
        "/reports",
        f"/reports/{ids['report']}",
        "/audit",
        "/admin/users",
        "/channels",
    ]
    for path in paths:
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__xss") is None, path
        hover = page.locator("#xss-attr")
        assert hover.count() == 0, f"{path}: a stored attribute broke out into markup"
        assert dialogs == [], path
    page.goto(f"{live_server}/events/{ids['event']}")
    page.wait_for_load_state("networkidle")
    for chart in page.locator("canvas").all()[:4]:  # tooltips of the charts show stored names
        box = chart.bounding_box()
        if box:
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None and dialogs == []
    assert "事件<script>" in page.inner_text("body")  # shown as the text it is
    screenshot(page, "stored-xss-event")
