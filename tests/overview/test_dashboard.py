"""总览: the situation at a glance, from the same data as the other pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import add_user, login
from tests.report.test_reports import _handled
from yuqing.store.db import Database


def test_the_dashboard_shows_the_situation(client: TestClient, db: Database) -> None:
    add_user(db, "office1", "office")
    add_user(db, "wang", "handler", department="宣传部")
    login(client, "office1")
    assert client.get("/", follow_redirects=False).headers["location"] == "/dashboard"
    empty = client.get("/dashboard").text
    assert 'id="today">0<' in empty and 'hx-trigger="every 15s"' in empty
    _handled(db)  # an item, a Ⅱ warning, an incident taken to its review
    page = client.get("/dashboard").text
    assert "生效预警" in page and "Ⅱ级（重大）" in page and "某县第一中学" in page
    login(client, "wang")
    assert client.get("/", follow_redirects=False).headers["location"] == "/tasks"
    assert client.get("/dashboard").status_code == 403
