"""In a real browser: load a template plan, lower a threshold, run a drill, and watch the event
form, climb levels with its reasons, and a forecast arrive before the threshold is crossed."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, add_user
from yuqing.store.db import Database

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _recent_start() -> datetime:
    """Recent, because the incident journey moves the wall clock on from here and events go
    quiet; and the 65-minute stream stays inside one Shanghai day, which the daily report counts."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    return start - timedelta(hours=1) if start.astimezone(SHANGHAI).hour == 23 else start


T0 = _recent_start()
POST = "某县第一中学食堂发生食物中毒，二十多名学生送医院治疗，家长质疑学校食品安全管理"


def _stream(path: Path) -> Path:
    lines = [{"id": "p1", "source": "微博", "text": POST, "observed_at": T0.isoformat()}]
    lines += [
        {
            "id": f"r{i}",
            "source": "微博",
            "text": f"第{i}条评论：食堂必须给个说法",
            "reply_to": "p1",
            "observed_at": (T0 + timedelta(minutes=i * 0.5)).isoformat(),
        }
        for i in range(1, 130)
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    return path


def test_plan_template_threshold_drill(
    live_server: str, page, db: Database, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    add_user(db, "admin1", "admin")
    page.goto(f"{live_server}/plans")
    page.fill("#username", "admin1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/plans")
    page.click("text=企业三级预案")
    text = page.input_value("#plan-text")
    assert "comments >= 100" in text
    page.fill("#plan-text", text.replace("comments >= 100 or", "comments >= 80 or"))
    page.fill("#note", "演练前把Ⅱ级评论门槛调到 80")
    page.click("#editor button[type=submit]")
    page.wait_for_selector("#plan-levels")
    assert "comments >= 80" in page.locator("#plan-levels").inner_text()
    screenshot(page, "plan")

    page.click("nav.main >> text=演练")
    page.set_input_files("#drill-file", str(_stream(tmp_path / "drill.jsonl")))
    page.select_option("#speed", "max")
    page.click("form[action='/drills'] button[type=submit]")
    deadline = time.monotonic() + 60
    while "已结束" not in page.locator("#drill-runs").inner_text():
        assert time.monotonic() < deadline
        time.sleep(0.3)
        page.reload()
    screenshot(page, "drills")

    page.goto(f"{live_server}/events?drill=1")
    row = page.locator("#events tbody tr").first
    assert "演练" in page.locator("h1").inner_text()
    assert "Ⅱ级（重大）" in row.inner_text() and "评论 129 ≥ 80" in row.inner_text()
    screenshot(page, "events")
    row.locator("a").first.click()
    page.wait_for_selector("#warnings")
    history = page.locator("#warnings tbody tr").all_inner_texts()
    steps = [re.sub(r"\s+", " ", h) for h in history]
    forecast = next(i for i, s in enumerate(steps) if "预测" in s and "Ⅱ级" in s)
    crossed = next(
        i for i, s in enumerate(steps) if "评论" in s and "≥ 80" in s and "预测" not in s
    )
    assert forecast < crossed, steps
    page.wait_for_selector("#event-chart canvas")  # ECharts draws after the page has loaded
    assert page.locator("#event-chart canvas").count() == 1
    screenshot(page, "event")
