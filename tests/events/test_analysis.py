"""The event page's analysis on the demonstration drill: marks on the time axis, where it
spread, the public accounts that carried it (never a private person), keywords, repost tree."""

from __future__ import annotations

import json
import re
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import add_user, login
from yuqing.demo import seed, start_drill
from yuqing.events.analysis import keyword_cloud, repost_tree
from yuqing.incident.tables import Incident
from yuqing.store.db import Database


def _played(db: Database) -> int:
    with db.write() as s:
        seed(s)
    drill = start_drill(db, speed="max")
    deadline = time.monotonic() + 180  # a busy machine plays it slower
    while not drill.progress.done and time.monotonic() < deadline:
        time.sleep(0.1)
    assert drill.progress.done and drill.progress.error is None, drill.progress.as_dict()
    with db.read() as s:
        return s.execute(select(Incident.event_id)).scalar_one()


def test_the_event_page_analyses_the_cascade(client: TestClient, db: Database) -> None:
    event_id = _played(db)
    add_user(db, "office1", "office")
    login(client, "office1")
    page = client.get(f"/events/{event_id}").text
    accounts = re.search(r'<table class="small" id="accounts">(.*?)</table>', page, re.S)
    assert accounts is not None
    assert "某省日报" in accounts.group(1) and "示范县融媒体中心" in accounts.group(1)
    assert "家长小王" not in accounts.group(1) and "网友10" not in accounts.group(1)
    chart = json.loads(re.search(r"id=\"event-chart\" class=\"chart\" data-chart='([^']+)'", page)
                       .group(1).replace("&#34;", '"'))  # fmt: skip
    assert {m["name"] for m in chart["marks"]} >= {"预警2", "预警3"}
    assert 'id="repost-tree"' in page and 'id="keyword-cloud"' in page
    with db.read() as s:
        tree = repost_tree(s, event_id)
    assert tree is not None and tree["name"] == "网友"  # the parent who posted first
    media = [c["name"] for c in tree["children"] if c["name"] != "网友"]
    assert sorted(media) == ["某市广播电视台", "某省日报", "示范县融媒体中心"]
    assert keyword_cloud(["食堂", "霉味", "一中"]) == [("食堂", 2.0), ("霉味", 1.45), ("一中", 0.9)]
