"""In a real browser: an admin adds sources, items arrive on schedule, a failing source is marked
unhealthy with the reason, and copies are merged."""

from __future__ import annotations

import json
import time

import pytest

from tests.browser.conftest import screenshot
from tests.collect.server import Reply, Site
from tests.collect.test_connectors import ARTICLE, LIST, RSS
from tests.conftest import PASSWORD, add_user
from yuqing.store.db import Database

pytestmark = pytest.mark.browser
NEWS = "某县人民医院被曝违规收费，患者家属称一次检查多收了八百元，医院回应正在核查"


def _add(page, base: str, key: str, kind: str, fill: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/sources/new")
    page.fill("#key", key)
    page.fill("#name", key)
    page.select_option("#kind", kind)
    for selector, value in fill.items():
        page.fill(selector, value)
    page.fill("#interval_minutes", "0.5")
    page.check("input[name=allow_private]")
    page.click("#source-form button[type=submit]")
    page.wait_for_selector("#health")


def _wait_for(page, url: str, ready, what: str, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if ready():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened at {url}")
        time.sleep(0.5)


def _wait_for_text(page, url: str, text: str) -> None:  # type: ignore[no-untyped-def]
    _wait_for(page, url, lambda: text in page.content(), repr(text))


def test_sources_collect_on_schedule_and_report_health(  # type: ignore[no-untyped-def]
    live_server_collecting: str, page, db: Database
) -> None:
    base = live_server_collecting
    add_user(db, "root", "admin")
    with Site() as site:
        site.routes["/weibo/user/42"] = Reply(200, RSS.format(enc="utf-8").encode())
        site.routes["/news/"] = Reply(200, LIST.format(enc="gbk").encode("gbk"))
        for n in (1, 2):
            site.routes[f"/a/{n}.html"] = Reply(
                200,
                ARTICLE.format(
                    enc="utf-8", title=f"县卫健委通报情况{n}", body="针对网友反映的问题"
                ).encode(),
            )
        site.routes["/api/posts"] = Reply(
            200,
            json.dumps(
                {
                    "data": {
                        "list": [
                            {
                                "mid": "v1",
                                "content": NEWS,
                            },
                            {
                                "mid": "v2",
                                "content": "//@网友: 转发 " + NEWS,
                            },
                        ]
                    }
                },
                ensure_ascii=False,
            ).encode(),
        )
        site.routes["/down"] = Reply(503, b"")

        page.goto(f"{base}/login")
        page.fill("#username", "root")
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/dashboard")  # the admin starts on 总览

        _add(
            page,
            base,
            "weibo-42",
            "rss",
            {"#cfg_rsshub": site.base, "#cfg_route": "/weibo/user/42"},
        )
        _add(
            page,
            base,
            "county-site",
            "web",
            {"#cfg_url_web": site.base + "/news/", "#cfg_link_selector": "ul.news a"},
        )
        _add(
            page,
            base,
            "vendor",
            "api",
            {
                "#cfg_json": json.dumps(
                    {
                        "url": site.base + "/api/posts",
                        "items": "data.list",
                        "fields": {"id": "mid", "text": "content"},
                    }
                )
            },
        )
        _add(page, base, "broken", "rss", {"#cfg_url_rss": site.base + "/down"})

        _wait_for_text(page, f"{base}/items", "县人民医院回应网友关切")
        _wait_for_text(page, f"{base}/items", "县卫健委通报情况2")
        # every source has run once: three collecting, one failing with the reason
        _wait_for(
            page,
            f"{base}/sources",
            lambda: page.locator("tr.health-waiting").count() == 0,
            "every source's first run",
        )
        screenshot(page, "sources-health")
        assert page.locator("tr.health-failing").count() == 1
        assert "HTTP 503" in page.locator("tr.health-failing").inner_text()
        assert page.locator("tr.health-ok").count() == 3

        page.goto(f"{base}/items?collapse=on")
        assert "相似 1 篇" in page.content()
        screenshot(page, "items-merged")
