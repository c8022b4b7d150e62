import json
import re

from fastapi.testclient import TestClient

from tests.conftest import add_user, login
from yuqing.store.db import Database

LINES = [
    {"id": "1", "source": "weibo", "text": "某县人民医院被曝乱收费", "metrics": {"reads": 3200}},
    {"id": "2", "source": "weibo", "text": "今天<b>天气</b>很好"},
]


def _upload(client: TestClient, csrf: str, body: bytes, name: str = "items.jsonl"):  # type: ignore[no-untyped-def]
    return client.post(
        "/import",
        data={"csrf_token": csrf, "source": ""},
        files={"file": (name, body, "application/octet-stream")},
    )


def test_import_page_then_search_and_item_detail(client: TestClient, db: Database) -> None:
    add_user(db, "mon", "monitor")
    csrf = login(client, "mon")
    body = ("\n".join(json.dumps(x, ensure_ascii=False) for x in LINES) + "\nnot json\n").encode()
    r = _upload(client, csrf, body)
    assert r.status_code == 200
    assert re.search(r'id="created">2<', r.text) and re.search(r'id="error-count">1<', r.text)
    assert "items.jsonl: line 3: invalid JSON" in r.text

    page = client.get("/items", params={"q": "医院"}).text
    assert "<mark>医院</mark>" in page and "天气" not in page
    page = client.get("/items").text
    assert "今天&lt;b&gt;天气&lt;/b&gt;很好" in page  # user text is escaped, never markup
    partial = client.get(
        "/items", params={"q": "天气"}, headers={"HX-Request": "true", "HX-Target": "results"}
    ).text
    assert "<html" not in partial and "<mark>天气</mark>" in partial

    item_id = re.search(r'data-id="(\d+)"', client.get("/items", params={"q": "医院"}).text)
    assert item_id
    detail = client.get(f"/items/{item_id.group(1)}").text
    assert "3,200" in detail and "metrics-chart" in detail
    assert client.get("/items/999999").status_code == 404


def test_import_page_refuses_unknown_file_types(client: TestClient, db: Database) -> None:
    add_user(db, "mon", "monitor")
    csrf = login(client, "mon")
    r = _upload(client, csrf, b"PK", name="report.docx")
    assert r.status_code == 400 and "unsupported file type" in r.text


def test_sources_page_counts_items(client: TestClient, db: Database) -> None:
    add_user(db, "mon", "monitor")
    csrf = login(client, "mon")
    _upload(client, csrf, "\n".join(json.dumps(x, ensure_ascii=False) for x in LINES).encode())
    page = client.get("/sources").text
    assert "weibo" in page and ">2</a>" in page


def test_similar_items_are_counted_and_can_be_merged(client: TestClient, db: Database) -> None:
    add_user(db, "mon", "monitor")
    csrf = login(client, "mon")
    text = "某县人民医院被曝违规收费，患者家属称一次检查多收了八百元，医院回应正在核查"
    rows = [
        {"id": "a", "text": text},
        {"id": "b", "text": "转发 " + text},
        {"id": "c", "text": text + "！"},
        {"id": "d", "text": "县里今天召开防汛工作会议，部署下一阶段工作"},
    ]
    _upload(client, csrf, "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode())
    page = client.get("/items").text
    assert page.count('class="item"') == 4 and "相似 2 篇" in page and page.count("相似于 #") == 2
    merged = client.get("/items", params={"collapse": "on"}).text
    assert merged.count('class="item"') == 2 and "相似 2 篇" in merged
