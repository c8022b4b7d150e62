"""An admin edits the taxonomy in the console; new items are tagged with it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import add_user, login
from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.judge.tables import ItemTags
from yuqing.store.db import Database


def _form(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="text" name="(cat_name_\d+)" value="([^"]*)"', page))
    for name, text in re.findall(r'<textarea name="((?:cat_terms|flag)_\w+)"[^>]*>([^<]*)<', page):
        fields[name] = text
    return fields


def test_admin_adds_a_category_and_a_flag_term(client: TestClient, db: Database) -> None:
    add_user(db, "boss", "admin")
    csrf = login(client, "boss")
    page = client.get("/taxonomy").text
    assert "安全事故" in page and "flag.casualties" in page
    form = _form(page)
    n = sum(1 for k in form if k.startswith("cat_name_")) + 1
    form |= {f"cat_name_{n}": "供水供气", f"cat_terms_{n}": "停水、自来水，燃气"}
    form["flag_crowd"] += "、讨说法"
    refused = client.post("/taxonomy", data={**form, f"cat_name_{n}": "其他", "csrf_token": csrf})
    assert refused.status_code == 422 and "不能作为分类" in refused.text
    saved = client.post("/taxonomy", data={**form, "csrf_token": csrf}, follow_redirects=True)
    assert "已保存" in saved.text and "停水、自来水、燃气" in saved.text
    intake = Intake(db, Actor.cli(), "weibo", "file", "test")
    intake.store([(1, ItemIn(id="w1", text="城东小区停水三天，居民聚到物业讨说法"))])
    with db.read() as s:
        tags = s.execute(select(ItemTags)).scalar_one()
    assert tags.category == "供水供气" and "crowd" in tags.flags


def test_only_admins_edit_the_taxonomy(client: TestClient, db: Database) -> None:
    add_user(db, "eye", "monitor")
    login(client, "eye")
    assert client.get("/taxonomy").status_code == 403
