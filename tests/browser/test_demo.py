"""In a real browser: the demonstration a newcomer sees — the dashboard of the drill, the event's
analysis with its charts and repost tree, the incident it opened. Screenshots for review."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, add_user
from tests.events.test_analysis import _played
from yuqing.store.db import Database

pytestmark = pytest.mark.browser


def test_the_demonstration_in_the_browser(live_server: str, page, db: Database) -> None:  # type: ignore[no-untyped-def]
    event_id = _played(db)
    add_user(db, "office1", "office")
    page.goto(f"{live_server}/login")
    page.fill("#username", "office1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")
    page.goto(f"{live_server}/dashboard?drill=1")
    page.wait_for_selector("#today-chart canvas")
    assert "Ⅱ级（重大）" in page.locator("#dash-warnings").inner_text()
    screenshot(page, "demo-dashboard")
    page.goto(f"{live_server}/events/{event_id}")
    page.wait_for_selector("#event-chart canvas")
    page.wait_for_selector("#repost-tree canvas")
    assert "某省日报" in page.locator("#accounts").inner_text()
    screenshot(page, "demo-event")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server}/incidents?drill=1")
    page.wait_for_selector(".incident-card")
    screenshot(page, "demo-incidents-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # nothing off-screen
    page.locator(".incident-card").first.click()
    page.wait_for_selector("#deadlines")
    screenshot(page, "demo-incident-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
