import json

import pytest
from fastapi.testclient import TestClient

from tests.conftest import add_user
from yuqing.access import accounts, tokens
from yuqing.audit.log import Actor
from yuqing.store.db import Database


def _token(db: Database, *scopes: str, roles: tuple[str, ...] = ("monitor",)) -> str:
    add_user(db, "crawler", *roles)
    with db.write() as s:
        _, raw = tokens.create_token(
            s, accounts.get_user(s, "crawler"), "crawler", list(scopes), Actor.system()
        )
    return raw


@pytest.fixture
def auth(db: Database) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(db, 'items.import', 'items.read')}"}


def test_push_stores_good_items_and_reports_bad_ones(client: TestClient, auth: dict) -> None:
    batch = {
        "items": [
            {
                "id": "a1",
                "source": "rsshub-weibo",
                "text": "县教育局回应学生午餐问题",
                "metrics": {"reads": 10},
            },
            {"id": "a2", "text": ""},
            {"id": "a3", "text": "ok", "published_at": "not a time"},
            {"id": "a4", "text": "第二条", "reply_to": "a1"},
        ]
    }
    r = client.post("/api/v1/items", json=batch, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["received"], body["created"]) == (4, 2)
    assert [e["index"] for e in body["errors"]] == [1, 2]
    assert "published_at" in body["errors"][1]["message"]
    batch["items"][0]["metrics"] = {"reads": 50}
    again = client.post("/api/v1/items", json=batch, headers=auth).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 1)

    found = client.get("/api/v1/items", params={"q": "午餐"}, headers=auth).json()
    assert [i["external_id"] for i in found["items"]] == ["a1"]
    assert found["items"][0]["metrics"]["reads"] == 50
    assert found["items"][0]["source"] == "rsshub-weibo"
    one = client.get(f"/api/v1/items/{found['items'][0]['id']}", headers=auth)
    assert one.json()["text"] == "县教育局回应学生午餐问题"
    assert client.get("/api/v1/items/999999", headers=auth).status_code == 404
    by_source = client.get("/api/v1/items", params={"source": "push"}, headers=auth).json()
    assert [i["external_id"] for i in by_source["items"]] == ["a4"]


def test_batches_over_the_limit_are_refused_whole(
    client: TestClient, auth: dict, db: Database
) -> None:
    items = [{"id": str(i), "text": "x"} for i in range(1001)]
    r = client.post("/api/v1/items", json={"items": items}, headers=auth)
    assert r.status_code == 413 and "1000" in r.json()["detail"]
    assert client.get("/api/v1/items", headers=auth).json()["items"] == []


def test_oversized_bodies_are_refused_before_reading(client: TestClient, auth: dict) -> None:
    big = json.dumps({"items": [{"text": "字" * 40_000}] * 200}, ensure_ascii=False)
    r = client.post(
        "/api/v1/items", content=big.encode(), headers={**auth, "content-type": "application/json"}
    )
    assert r.status_code == 413 and "request body" in r.json()["detail"]


def test_malformed_json_gets_a_clear_error(client: TestClient, auth: dict) -> None:
    r = client.post(
        "/api/v1/items", content=b"{not json", headers={**auth, "content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["errors"]


def test_token_scopes_and_revocation(client: TestClient, db: Database) -> None:
    raw = _token(db, "items.import")
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/items", headers=auth).status_code == 403
    assert client.get("/api/v1/me", headers=auth).json()["permissions"] == [
        "account",
        "items.import",
    ]
    assert (
        client.post("/api/v1/items", json={"items": [{"text": "x"}]}, headers=auth).status_code
        == 200
    )
    with db.write() as s:
        token = tokens.list_tokens(s)[0]
        assert token.last_used_at is not None  # shown on the tokens page
        tokens.revoke_token(s, token.id, Actor.system())
    assert client.post("/api/v1/items", json={"items": []}, headers=auth).status_code == 401


def test_openapi_documents_the_item_schema_and_docs_work_offline(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "ItemIn" in spec["components"]["schemas"]
    assert "/api/v1/items" in spec["paths"]
    docs = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200


def test_sources_through_the_api(client: TestClient, db: Database) -> None:
    from tests.collect.server import Reply, Site
    from tests.collect.test_connectors import RSS

    add_user(db, "robot-admin", "admin")
    with db.write() as s:
        _, raw = tokens.create_token(
            s,
            accounts.get_user(s, "robot-admin"),
            "ops",
            ["sources.read", "sources.manage"],
            Actor.system(),
        )
    auth = {"Authorization": f"Bearer {raw}"}
    with Site() as site:
        site.routes["/feed"] = Reply(200, RSS.format(enc="utf-8").encode())
        body = {
            "key": "county",
            "name": "某县融媒",
            "kind": "rss",
            "allow_private": True,
            "config": {"url": site.base + "/feed"},
            "media_tier": "local",
        }
        r = client.post("/api/v1/sources", json=body, headers=auth)
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["health"] == "waiting" and created["url"] == site.base + "/feed"
        bad = client.post("/api/v1/sources", json={**body, "key": "x", "config": {}}, headers=auth)
        assert bad.status_code == 422 and "feed url" in bad.json()["detail"]
        test = client.post(f"/api/v1/sources/{created['id']}/collect?test=true", headers=auth)
        assert test.json()["found"] == 3 and test.json()["created"] == 3
        run = client.post(f"/api/v1/sources/{created['id']}/collect", headers=auth).json()
        assert run["status"] == "ok" and run["created"] == 3
        changed = client.put(
            f"/api/v1/sources/{created['id']}",
            json={**body, "name": "改名", "enabled": False},
            headers=auth,
        )
        assert changed.json()["name"] == "改名" and changed.json()["health"] == "disabled"
        listed = client.get("/api/v1/sources", headers=auth).json()
        assert [s["key"] for s in listed] == ["county"]
        assert client.put("/api/v1/sources/999", json=body, headers=auth).status_code == 404
