"""In a real browser: log in, import a file, find an item by a 2-character word."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, add_user
from yuqing.store.db import Database

pytestmark = pytest.mark.browser

CSV = (
    "id,source,text,author_name,published_at,reads,comments\n"
    "w1,weibo,某县人民医院被曝乱收费，网友质疑收费标准,网友甲,2026-11-03 10:21,3200,523\n"
    "w2,weibo,县教育局回应学生午餐问题,县教育局,2026-11-03 11:00,800,40\n"
    "w3,weibo,今天的天气很好,网友乙,2026-11-03 12:00,5,1\n"
    "w4,weibo,,,,,\n"
)


def test_login_import_and_search(live_server: str, page, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_user(db, "duty", "office")
    upload = tmp_path / "今日舆情.csv"
    upload.write_bytes(CSV.encode("gb18030"))

    page.goto(f"{live_server}/items")
    assert "/login" in page.url
    page.fill("#username", "duty")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.locator(".error").inner_text()
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/items")
    screenshot(page, "items-empty")

    page.click("nav.main >> text=导入")
    page.set_input_files("#file", str(upload))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-report")
    assert page.locator("#created").inner_text() == "3"
    assert page.locator("#error-count").inner_text() == "1"
    assert "line 5: item has neither text nor title" in page.locator(".error-list").inner_text()
    screenshot(page, "import-report")

    page.click("nav.main >> text=舆情信息")
    page.fill("#q", "医院")
    page.press("#q", "Enter")
    page.wait_for_selector("mark")
    results = page.locator("#results li.item")
    assert results.count() == 1
    assert "某县人民" in results.first.inner_text()
    assert page.locator("#results mark").first.inner_text() == "医院"
    assert "q=" in page.url  # htmx pushed the search into the address bar
    screenshot(page, "items-search")

    results.first.locator("a").first.click()
    page.wait_for_selector("#metrics-chart canvas")
    assert "3,200" in page.content()
    screenshot(page, "item-detail")
