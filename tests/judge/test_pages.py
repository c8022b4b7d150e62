import json
import re

from fastapi.testclient import TestClient

from tests.conftest import add_user, login
from yuqing.store.db import Database


def _upload(client: TestClient, csrf: str, rows: list[dict]) -> None:
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    client.post(
        "/import",
        data={"csrf_token": csrf},
        files={"file": ("x.jsonl", body, "application/octet-stream")},
    )


def test_admin_writes_an_advanced_scheme_and_a_monitor_judges_matches(
    client: TestClient, db: Database
) -> None:
    add_user(db, "boss", "admin")
    csrf = login(client, "boss")
    _upload(
        client,
        csrf,
        [
            {"id": "1", "text": "某县人民医院被曝乱收费，网友质疑"},
            {"id": "2", "text": "某县人民医院招聘护士，收费标准另行通知"},
            {"id": "3", "text": "今天天气很好"},
        ],
    )
    bad = client.post(
        "/schemes/new",
        data={
            "csrf_token": csrf,
            "name": "医院",
            "mode": "advanced",
            "expression": "医院 + (收费",
            "enabled": "on",
        },
    )
    assert bad.status_code == 400 and "column 6" in bad.text and 'id="error-pointer"' in bad.text
    r = client.post(
        "/schemes/new",
        data={
            "csrf_token": csrf,
            "name": "医院收费",
            "mode": "advanced",
            "enabled": "on",
            "expression": "某县 + 医院 NEAR/6 收费",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert page.count('class="item"') == 2 and "<mark>收费</mark>" in page
    scheme_id = re.search(r"scheme=(\d+)", r.headers["location"]).group(1)
    assert "医院收费" in client.get("/schemes").text

    add_user(db, "mon", "monitor")
    csrf = login(client, "mon")
    listing = client.get("/items", params={"scheme": scheme_id}).text
    item_id = re.findall(r'data-id="(\d+)"', listing)[0]
    r = client.post(
        f"/items/{item_id}/relevance",
        data={"csrf_token": csrf, "scheme": scheme_id, "verdict": "irrelevant"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "✗" in client.get("/items", params={"scheme": scheme_id}).text
    assert client.get("/schemes/new").status_code == 403  # monitors do not write schemes


def test_items_show_sentiment_and_people_correct_it(client: TestClient, db: Database) -> None:
    add_user(db, "mon", "monitor")
    csrf = login(client, "mon")
    _upload(
        client,
        csrf,
        [
            {"id": "1", "text": "气死了，排了三个小时的队还没轮到，医院太差了"},
            {"id": "2", "text": "谢谢医生护士，服务太好了，开心"},
        ],
    )
    page = client.get("/items").text
    assert "负面" in page and "正面" in page
    negative = client.get("/items", params={"sentiment": "negative"}).text
    assert negative.count('class="item"') == 1 and "排了三个小时" in negative
    item_id = re.search(r'data-id="(\d+)"', negative).group(1)
    r = client.post(
        f"/items/{item_id}/sentiment",
        data={"csrf_token": csrf, "label": "neutral"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    detail = client.get(f"/items/{item_id}").text
    assert "已由 mon 更正（模型判断：负面）" in detail
    assert client.get("/items", params={"sentiment": "negative"}).text.count('class="item"') == 0
    bad = client.post(f"/items/{item_id}/sentiment", data={"csrf_token": csrf, "label": "meh"})
    assert bad.status_code == 400


def test_items_show_category_flags_and_heat(client: TestClient, db: Database) -> None:
    add_user(db, "mon", "monitor")
    csrf = login(client, "mon")
    _upload(
        client,
        csrf,
        [
            {
                "id": "1",
                "text": "某县小学食堂食物中毒，多名学生受伤",
                "reads": 3000,
                "comments": 523,
            },
            {"id": "2", "text": "县里召开防汛会议，部署暴雨应对"},
        ],
    )
    page = client.get("/items").text
    assert "食品药品" in page and "涉伤亡" in page and "涉未成年人" in page and "热度" in page
    only = client.get("/items", params={"category": "自然灾害"}).text
    assert only.count('class="item"') == 1 and "防汛" in only
    item_id = re.search(r'data-id="(\d+)"', client.get("/items", params={"q": "食堂"}).text)
    detail = client.get(f"/items/{item_id.group(1)}").text
    assert "分类：食品药品（" in detail and "热度 " in detail
