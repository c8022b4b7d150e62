import re

from fastapi.testclient import TestClient

from tests.collect.server import Reply, Site
from tests.collect.test_connectors import RSS
from tests.conftest import add_user, login
from yuqing.store.db import Database

COMMON = {
    "interval_minutes": "10",
    "jitter_seconds": "0",
    "enabled": "on",
    "respect_robots": "on",
    "allow_private": "on",
}


def test_admin_adds_tests_and_collects_an_rss_source(
    client: TestClient, db: Database, site: Site
) -> None:
    site.routes["/weibo/user/42"] = Reply(200, RSS.format(enc="utf-8").encode())
    add_user(db, "boss", "admin")
    csrf = login(client, "boss")
    r = client.post(
        "/sources/new",
        data={
            **COMMON,
            "csrf_token": csrf,
            "key": "weibo-42",
            "name": "某县发布",
            "kind": "rss",
            "cfg_rsshub": site.base,
            "cfg_route": "/weibo/user/42",
            "media_tier": "official",
            "mainstream": "on",
            "region": "某县",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    detail = r.headers["location"]
    page = client.get(detail).text
    assert "某县发布" in page and "/weibo/user/42" in page and "待采集" in page

    tested = client.post(detail + "/test", data={"csrf_token": csrf}).text
    assert "测试结果" in tested and "3 found" in tested
    assert client.get("/items").text.count('class="item"') == 0

    collected = client.post(detail + "/collect", data={"csrf_token": csrf}).text
    assert "3 new" in collected and "正常" in collected
    assert client.get("/items", params={"q": "医院"}).text.count('class="item"') == 1
    listing = client.get("/sources").text
    assert "某县发布" in listing and "state-ok" in listing


def test_failing_source_is_marked_with_the_reason(
    client: TestClient, db: Database, site: Site
) -> None:
    site.routes["/gone"] = Reply(503, b"")
    add_user(db, "boss", "admin")
    csrf = login(client, "boss")
    r = client.post(
        "/sources/new",
        data={
            **COMMON,
            "csrf_token": csrf,
            "key": "gone",
            "kind": "rss",
            "cfg_url": site.base + "/gone",
        },
        follow_redirects=False,
    )
    detail = r.headers["location"]
    page = client.post(detail + "/collect", data={"csrf_token": csrf}).text
    assert "HTTP 503" in page
    listing = client.get("/sources").text
    assert "state-failing" in listing and "HTTP 503" in listing


def test_bad_configuration_is_refused_with_the_field(client: TestClient, db: Database) -> None:
    add_user(db, "boss", "admin")
    csrf = login(client, "boss")
    r = client.post(
        "/sources/new",
        data={
            **COMMON,
            "csrf_token": csrf,
            "key": "w",
            "kind": "web",
            "cfg_url": "http://x.example/",
            "cfg_link_selector": "a[[",
        },
    )
    assert r.status_code == 400 and "CSS selector" in r.text
    assert 'value="http://x.example/"' in r.text and 'value="a[["' in r.text  # kept as typed
    r = client.post(
        "/sources/new",
        data={**COMMON, "csrf_token": csrf, "key": "api", "kind": "api", "cfg_json": "{not json"},
    )
    assert r.status_code == 400 and "JSON" in r.text
    r = client.post(
        "/sources/new",
        data={
            **COMMON,
            "csrf_token": csrf,
            "key": "bad key!",
            "kind": "rss",
            "cfg_url": "http://x.example/f",
        },
    )
    assert r.status_code == 400 and "bad source key" in r.text


def test_edit_and_disable(client: TestClient, db: Database) -> None:
    add_user(db, "boss", "admin")
    csrf = login(client, "boss")
    r = client.post(
        "/sources/new",
        data={
            **COMMON,
            "csrf_token": csrf,
            "key": "f",
            "kind": "rss",
            "cfg_url": "http://feeds.example/a",
        },
        follow_redirects=False,
    )
    detail = r.headers["location"]
    form = client.get(detail + "/edit").text
    assert 'value="http://feeds.example/a"' in form
    client.post(
        detail + "/edit",
        data={
            **COMMON,
            "csrf_token": csrf,
            "key": "f",
            "name": "改名",
            "kind": "rss",
            "cfg_url": "http://feeds.example/b",
        },
    )
    page = client.get(detail).text
    assert "改名" in page and "feeds.example/b" in page
    client.post(detail + "/disable", data={"csrf_token": csrf})
    assert "已停用" in client.get(detail).text
    audit = client.get("/audit").text
    assert "source.update" in audit and "source.disable" in audit


def test_monitor_reports_an_item_by_hand(client: TestClient, db: Database) -> None:
    add_user(db, "mon", "monitor")
    csrf = login(client, "mon")
    r = client.post(
        "/manual",
        data={
            "csrf_token": csrf,
            "url": "https://tieba.example/p/1",
            "title": "贴吧帖子",
            "text": "有人反映学校食堂问题",
            "author": "某网友",
            "published_at": "3小时前",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, re.findall(r'class="error"[^>]*>([^<]+)', r.text)
    page = client.get(r.headers["location"]).text
    assert "有人反映学校食堂问题" in page and "manual" in page
    r = client.post("/manual", data={"csrf_token": csrf, "text": "", "title": ""})
    assert r.status_code == 400 and "neither text nor title" in r.text
    assert re.search(r"人工报送", client.get("/manual").text)
