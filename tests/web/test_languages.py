"""The console in Chinese and in English: the main pages of every stage show no untranslated
key."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import add_user, login
from tests.events.test_analysis import _played
from yuqing.store.db import Database

KEY = re.compile(r">\s*(?:[a-z_]+\.){1,3}[a-z_]+\s*<")


def test_main_pages_are_translated(client: TestClient, db: Database) -> None:
    event_id = _played(db)
    add_user(db, "boss", "admin")
    login(client, "boss")
    pages = [
        "/dashboard?drill=1",
        "/events?drill=1",
        f"/events/{event_id}",
        "/warnings?drill=1",
        "/incidents?drill=1",
        "/incidents/1",
        "/tasks",
        "/cases",
        "/reports",
        "/channels",
        "/duty",
        "/plans",
        "/drills",
        "/items",
        "/schemes",
        "/sources",
        "/audit",
    ]
    for lang in ("zh-CN", "en"):
        client.get(f"/lang/{lang}")
        for path in pages:
            _check(client, path, lang)


def _check(client: TestClient, path: str, lang: str) -> None:
    page = client.get(path)
    assert page.status_code == 200, path
    assert f'lang="{lang}"' in page.text, path
    raw = KEY.findall(page.text) if path != "/audit" else []  # audit shows action codes
    assert not raw, (path, lang, raw[:5])
