"""One corpus of hostile input through the real entry points: item files as `yuqing import` reads
them, feeds, pages and JSON APIs through the collector's connectors over a local HTTP server, and
bodies sent to the items API. Each case says what must happen — what is stored, which error names
which place — and around all of them: nothing crashes, nothing stored before is lost or changed,
and the audit chain still holds."""

from __future__ import annotations

import io
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.collect.server import Reply, Site
from tests.collect.test_api import _token
from tests.collect.test_connectors import harvest
from yuqing.audit.log import Actor, verify
from yuqing.collect.fetch import Fetcher, FetchError
from yuqing.collect.files import FileError
from yuqing.collect.importer import import_bytes
from yuqing.collect.tables import Item
from yuqing.store.base import utcnow
from yuqing.store.db import Database

DEEP = 50_000  # far past Python's recursion limit
MARKUP_DEEP = 15_000  # nested elements that still fit in a collected response


def _jsonl(*rows: Any, encoding: str = "utf-8") -> bytes:
    return "\n".join(
        r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows
    ).encode(encoding)


_serial = itertools.count()


def _good(n: int, text: str = "县人民医院回应网友反映的收费问题") -> dict[str, str]:
    return {"id": f"g{next(_serial)}", "text": f"{text}（{n}）"}


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class FileCase:
    name: str
    data: bytes
    stored: int = 0
    errors: dict[int, str] = field(default_factory=dict)  # line/item/row → words of the error
    refused: str = ""  # the whole file refused with these words


FILES = [
    FileCase(
        "truncated.jsonl",
        _jsonl(_good(1), _good(2), '{"id": "t3", "text": "半行'),
        2,
        {3: "invalid JSON at column"},
    ),
    FileCase(
        "nested.jsonl",
        _jsonl(_good(1), "[" * DEEP + "]" * DEEP, _good(3)),
        2,
        {2: "nested too deeply"},
    ),
    FileCase("nested.json", b"[" * DEEP + b"]" * DEEP, refused="nested too deeply"),
    FileCase("broken-array.json", b'[{"text": "a"}, {"te', refused="invalid JSON at line 1"),
    FileCase("one-object.json", _jsonl({"id": "o1", "text": "单个对象也是一条"}), 1),
    FileCase(
        "long-line.jsonl",
        _jsonl({"id": "l1", "text": "字" * 400_000}, _good(2)),
        1,
        {1: "longer than 1024 KiB"},
    ),
    FileCase("gbk.jsonl", _jsonl(_good(1), _good(2), encoding="gbk"), 2),
    FileCase(
        "mixed-encoding.jsonl",
        _jsonl(_good(1))
        + b"\n"
        + _jsonl(_good(2, "卫健委通报调查结果"), encoding="gbk")
        + b"\n"
        # one GBK line amid UTF-8: only it is lost, and the report says why
        + _jsonl(_good(3), _good(4), _good(5), _good(6)),
        5,
        {2: "not valid utf-8"},
    ),
    FileCase("utf16.jsonl", _jsonl(_good(1), _good(2), encoding="utf-16"), 2),
    FileCase(
        "surrogates.jsonl",
        _jsonl('{"id": "s1", "text": "\\ud800孤立代理"}', _good(2)),
        1,
        {1: "text:"},
    ),
    FileCase(
        "numbers.json",
        json.dumps(
            [
                {"id": "n1", "text": "a", "metrics": {"reads": 10**23}},
                {"id": "n2", "text": "b", "metrics": {"reads": -5}},
                {"id": "n3", "text": "c", "author": {"name": "x", "followers": "很多"}},
                _good(4),
            ]
        )
        .replace("100000000000000000000000", "1e999", 0)
        .encode(),
        1,
        {1: "metrics.reads", 2: "metrics.reads", 3: "author.followers"},
    ),
    FileCase(
        "types.jsonl",
        _jsonl('{"id": ["x"], "text": "a"}', '"a string"', "null", '{"text": {"a": 1}}', _good(5)),
        1,
        {1: "id:", 2: "expected a JSON object", 3: "expected a JSON object", 4: "text:"},
    ),
    FileCase(
        "dates.jsonl",
        _jsonl(
            {"id": "d1", "text": "公元零年", "published_at": "0000-01-01"},
            {"id": "d2", "text": "十三月", "published_at": "2026年13月45日"},
            {"id": "d3", "text": "来自未来", "published_at": "9999-12-31T23:59:59+14:00"},
        ),
        1,
        {1: "year 0 is out of range", 2: "month must be in 1..12"},
    ),
    FileCase(
        "control-characters.jsonl",
        _jsonl({"id": "c1", "text": "含\x00空字符\x07与\x1b控制符"}, _good(2)),
        2,
    ),
    FileCase("empty.jsonl", b"", 0),
    FileCase(
        "ragged.csv",
        "id,text\nr1,a,b,c\nr2,只有两列\nr3\n".encode(),
        1,
        {2: "4 fields but the header has 2", 4: "neither text nor title"},
    ),
    FileCase(
        "huge-field.csv",
        b'id,text\nh1,"' + b"x" * 2_000_000 + b'"\nh2,ok\n',
        1,
        {2: "field larger than field limit"},
    ),
    FileCase("big5.csv", "id,text,author_name\nb1,縣衛健委通報情況,縣融媒\n".encode("big5"), 1),
    FileCase("header-only.csv", b"id,text\n", 0),
    FileCase("gb18030.tsv", "id\ttext\nt1\t𠀀生僻字与乱码无关\n".encode("gb18030"), 1),
    FileCase(
        "rows.xlsx",
        _xlsx(
            [
                ["id", "text", "reads"],
                ["x1", "表格第一行", 12],
                ["x2", None, 3],
                ["x3", "第三行", "多"],
            ]
        ),
        1,
        {3: "neither text nor title", 4: "metrics.reads"},
    ),
    FileCase("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200, refused="not a readable XLSX"),
    FileCase("text-named.xlsx", b"id,text\n1,a\n", refused="not a readable XLSX"),
    FileCase("report.pdf", b"%PDF-1.7", refused="unsupported file type .pdf"),
]


def _items(db: Database) -> dict[str, tuple[str, str | None]]:
    with db.read() as s:
        rows = s.execute(select(Item.external_id, Item.text, Item.author_name)).all()
    return {e: (t, a) for e, t, a in rows}


def test_hostile_item_files(db: Database) -> None:
    import_bytes(db, _jsonl({"id": "kept", "text": "此前存好的一条"}), "first.jsonl", Actor.cli())
    for case in FILES:
        before = _items(db)
        if case.refused:
            with pytest.raises(FileError, match=case.refused):
                import_bytes(db, case.data, case.name, Actor.cli())
            assert _items(db) == before, case.name
            continue
        report = import_bytes(db, case.data, case.name, Actor.cli())
        assert report.result.created == case.stored, (case.name, report.lines())
        assert set(dict(report.errors)) == set(case.errors), (case.name, report.lines())
        for ref, words in case.errors.items():
            assert words in dict(report.errors)[ref], (case.name, ref, report.lines())
        after = _items(db)
        assert {k: after[k] for k in before} == before, case.name  # nothing lost or changed
    stored = _items(db)
    assert stored["c1"][0] == "含空字符\x07与\x1b控制符"  # NUL dropped (PostgreSQL cannot hold it)
    assert stored["b1"] == ("縣衛健委通報情況", "縣融媒")
    with db.read() as s:
        future = s.execute(select(Item).where(Item.external_id == "d3")).scalar_one()
        assert future.published_at.year == 9999  # kept as claimed …
        assert future.sort_at <= utcnow()  # … but it does not sit on top of every list
        assert verify(s).ok


RSS = (
    '<?xml version="1.0" encoding="{enc}"?><rss version="2.0"><channel><title>县融媒</title>'
    "<item><title>县人民医院回应网友关切</title><link>https://news.example/a/1</link>"
    "<description>{body}</description></item>"
    "<item><title>第二条</title><link>https://news.example/a/2</link>"
    "<description>第二条内容</description></item></channel></rss>"
)


@dataclass(frozen=True)
class SourceCase:
    name: str
    kind: str
    reply: Reply
    items: int = 0
    refused: str = ""
    note: str = ""
    config: dict[str, Any] = field(default_factory=dict)


SOURCES = [
    SourceCase(
        "truncated feed",
        "rss",
        Reply(200, RSS.format(enc="utf-8", body="x").encode()[:-40]),
        items=2,
        note="errors but was read",
    ),
    SourceCase(
        "GBK feed declared nowhere",
        "rss",
        Reply(200, RSS.format(enc="gbk", body="正文").replace(' encoding="gbk"', "").encode("gbk")),
        items=2,
    ),
    SourceCase(
        "deeply nested markup in a feed",
        "rss",
        Reply(
            200,
            RSS.format(enc="utf-8", body="<a>" * MARKUP_DEEP + "x" + "</a>" * MARKUP_DEEP).encode(),
        ),
        items=2,
    ),
    SourceCase(
        "a web page where the feed should be",
        "rss",
        Reply(200, b"<html><body><p>404 page</p></body></html>", {"Content-Type": "text/html"}),
        refused="no RSS or Atom feed",
    ),
    SourceCase(
        "binary where the feed should be",
        "rss",
        Reply(200, bytes(range(256)) * 40, {"Content-Type": "image/png"}),
        refused="not a readable feed",
    ),
    SourceCase(
        "oversized feed",
        "rss",
        Reply(200, RSS.format(enc="utf-8", body="长" * 100_000).encode()),
        refused="larger than 195.312 KiB",
    ),
    SourceCase(
        "server error",
        "rss",
        Reply(500, b"oops"),
        refused="HTTP 500",
    ),
    SourceCase(
        "deeply nested JSON from an API",
        "api",
        Reply(200, b'{"items":' + b"[" * DEEP + b"]" * DEEP + b"}"),
        refused="nested too deeply",
        config={"items": "items", "fields": {"text": "text"}},
    ),
    SourceCase(
        "HTML from an API",
        "api",
        Reply(200, b"<html>login required</html>"),
        refused="not JSON",
        config={"items": "items", "fields": {"text": "text"}},
    ),
    SourceCase(
        "items that are not a list",
        "api",
        Reply(200, b'{"items": {"text": "a"}}'),
        refused="is not a list",
        config={"items": "items", "fields": {"text": "text"}},
    ),
]


@pytest.mark.parametrize("case", SOURCES, ids=[c.name for c in SOURCES])
def test_hostile_feeds_and_apis(case: SourceCase, site: Site, fetcher: Fetcher) -> None:
    site.routes["/src"] = case.reply
    config = {"url": site.base + "/src", **case.config}
    if case.refused:
        with pytest.raises(FetchError, match=case.refused):
            harvest(case.kind, config, fetcher)
        return
    h = harvest(case.kind, config, fetcher)
    assert len(h.items) == case.items
    assert all(i.get("title") or i.get("text") for i in h.items)
    if case.note:
        assert any(case.note in n for n in h.notes), h.notes
    if "GBK" in case.name:
        assert h.items[0]["title"] == "县人民医院回应网友关切"


def test_hostile_pages(site: Site, fetcher: Fetcher) -> None:
    def nested(depth: int) -> str:
        return "<div>" * depth + "</div>" * depth

    links = "".join(f'<li><a href="/a/{n}.html">{n}</a></li>' for n in (1, 2, 3))
    page = '<html><body>{}<ul class="news">' + links + "</ul></body></html>"
    site.routes["/news/"] = Reply(200, page.format(nested(1000)).encode())  # bloated, but real
    site.routes["/deep/"] = Reply(200, page.format(nested(MARKUP_DEEP)).encode())
    article = (
        "<html><head><title>县卫健委通报情况</title></head><body>{}"
        "<p>针对网友反映的问题，组织专班调查核实。</p></body></html>"
    )
    site.routes["/a/1.html"] = Reply(200, article.format(nested(300)).encode("gbk"))  # no charset
    site.routes["/a/2.html"] = Reply(200, bytes(range(256)) * 40, {"Content-Type": "image/png"})
    site.routes["/a/3.html"] = Reply(200, ("<p>" * 10 + "未闭合的" + "<b" * 50).encode())
    config = {"url": site.base + "/news/", "link_selector": "ul.news a"}
    h = harvest("web", config, fetcher)
    by_url = {i["url"].rsplit("/", 1)[1]: i for i in h.items}
    assert by_url["1.html"]["title"] == "县卫健委通报情况"
    assert "组织专班调查核实" in by_url["1.html"]["text"]
    assert "2.html" not in by_url  # an image is no article
    assert any("2.html is not a web page (image/png)" in n for n in h.notes), h.notes
    assert "未闭合的" in by_url["3.html"]["text"]  # an unclosed fragment is read for what it has

    deep = harvest("web", {**config, "url": site.base + "/deep/"}, fetcher)
    assert deep.items == []
    assert any("read only in part: Excessive depth" in n for n in deep.notes), deep.notes


UNREADABLE = "the body is not readable JSON"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b'{"items":' + b"[" * DEEP + b"]" * DEEP + b"}", 400, UNREADABLE),
        ('{"items":[{"text":"中文"}]}'.encode("gbk"), 400, UNREADABLE),
        (b"\xff\xfe{", 400, UNREADABLE),
        (b'{"items":[{"text":"\\ud800"}]}', 200, "text:"),
        (b'{"items":[{"text":"a","metrics":{"reads":1e999}}]}', 200, "finite number"),
        (b'{"items":{"text":"a"}}', 422, "items"),
        (b"[]", 422, "body"),
    ],
    ids=["nested", "gbk", "binary", "surrogate", "infinity", "not-a-list", "array"],
)
def test_hostile_api_bodies(
    client: TestClient, db: Database, body: bytes, status: int, words: str
) -> None:
    headers = {
        "Authorization": f"Bearer {_token(db, 'items.import')}",
        "Content-Type": "application/json",
    }
    r = client.post("/api/v1/items", content=body, headers=headers)
    assert r.status_code == status, r.text
    assert words in r.text
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Item)).scalar_one() == 0
