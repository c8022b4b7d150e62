import json
from datetime import UTC, datetime

import opencc
import pytest

from tests.collect.server import Reply, Site
from yuqing.collect.connectors import CONNECTORS, ConfigError, SourceSpec
from yuqing.collect.connectors.base import parse_config
from yuqing.collect.connectors.rss import RssConfig
from yuqing.collect.fetch import Fetcher, FetchError

NOW = datetime(2026, 11, 3, 4, 0, tzinfo=UTC)
NEVER_KNOWN = lambda url: False  # noqa: E731

RSS = """<?xml version="1.0" encoding="{enc}"?>
<rss version="2.0"><channel><title>某县融媒体中心</title>
<item><title>县人民医院回应网友关切</title><link>https://news.example/a/1</link>
<guid>news-1</guid><pubDate>2026年11月03日 10:21</pubDate>
<description><![CDATA[<p>针对网友反映的<b>收费问题</b>，</p><p>医院已成立调查组。</p>]]></description>
<author>县融媒</author></item>
<item><title>第二条：3小时前发布</title><link>https://news.example/a/2</link><pubDate>3小时前</pubDate>
<description>第二条内容</description></item>
<item><title>英文日期</title><link>https://news.example/a/3</link>
<pubDate>Tue, 03 Nov 2026 02:21:00 GMT</pubDate><description>x</description></item>
</channel></rss>"""


def spec(kind: str, config: dict, **kw: object) -> SourceSpec:
    return SourceSpec(id=1, key="s", kind=kind, config=config, allow_private=True, **kw)  # type: ignore[arg-type]


def harvest(kind: str, config: dict, fetcher: Fetcher, known=NEVER_KNOWN, **kw: object):  # type: ignore[no-untyped-def]
    return CONNECTORS[kind].harvest(spec(kind, config, **kw), fetcher, NOW, known)


@pytest.mark.parametrize(
    ("enc", "declared"), [("utf-8", None), ("gbk", None), ("gb18030", "text/xml; charset=utf-8")]
)
def test_rss_in_any_encoding_with_chinese_dates(
    site: Site, fetcher: Fetcher, enc: str, declared: str | None
) -> None:
    headers = {"Content-Type": declared} if declared else {}
    site.routes["/feed"] = Reply(200, RSS.format(enc=enc).encode(enc), headers)
    h = harvest("rss", {"url": site.base + "/feed"}, fetcher)
    assert [i["title"] for i in h.items] == [
        "县人民医院回应网友关切",
        "第二条：3小时前发布",
        "英文日期",
    ]
    first = h.items[0]
    assert first["id"] == "news-1" and first["author"] == {"name": "县融媒"}
    assert first["text"] == "针对网友反映的收费问题，\n医院已成立调查组。"
    assert first["published_at"] == datetime(2026, 11, 3, 2, 21, tzinfo=UTC)
    assert h.items[1]["published_at"] == datetime(2026, 11, 3, 1, 0, tzinfo=UTC)
    assert h.items[2]["published_at"] == datetime(2026, 11, 3, 2, 21, tzinfo=UTC)


def test_rsshub_route_and_conditional_get(site: Site, fetcher: Fetcher) -> None:
    def route(handler):  # type: ignore[no-untyped-def]
        if handler.headers.get("If-None-Match") == '"abc"':
            return Reply(304)
        return Reply(200, RSS.format(enc="utf-8").encode(), {"ETag": '"abc"'})

    site.routes["/weibo/user/1234"] = route
    config = {"rsshub": site.base + "/", "route": "/weibo/user/1234"}
    h = harvest("rss", config, fetcher)
    assert len(h.items) == 3 and h.etag == '"abc"'
    again = harvest("rss", config, fetcher, etag=h.etag)
    assert again.not_modified and not again.items


def test_atom_feed(site: Site, fetcher: Fetcher) -> None:
    atom = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
    <title>t</title><entry><id>tag:x,2026:1</id><title>教育局通报</title>
    <link href="https://edu.example/1"/><updated>2026-11-03T10:21:00+08:00</updated>
    <content type="html">&lt;p&gt;通报内容&lt;/p&gt;</content></entry></feed>"""
    site.routes["/atom"] = Reply(200, atom.encode())
    h = harvest("rss", {"url": site.base + "/atom"}, fetcher)
    assert h.items[0]["text"] == "通报内容" and h.items[0]["url"] == "https://edu.example/1"


def test_broken_feeds(site: Site, fetcher: Fetcher) -> None:
    site.routes["/broken"] = Reply(
        200, RSS.format(enc="utf-8").replace("</channel></rss>", "<item><title>unclosed").encode()
    )
    site.routes["/garbage"] = Reply(200, b"\x00\x01 this is no feed <<<")
    h = harvest("rss", {"url": site.base + "/broken"}, fetcher)
    assert len(h.items) >= 3 and h.notes and "errors but was read" in h.notes[0]
    with pytest.raises(FetchError, match="not a readable feed"):
        harvest("rss", {"url": site.base + "/garbage"}, fetcher)


def test_entity_expansion_bomb_is_not_expanded(site: Site, fetcher: Fetcher) -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{lol}]>'
        '<rss version="2.0"><channel><item><title>&l9;</title><description>x</description>'
        "<link>https://x.example/1</link></item></channel></rss>"
    )
    site.routes["/bomb"] = Reply(200, bomb.encode())
    try:
        h = harvest("rss", {"url": site.base + "/bomb"}, fetcher)
    except FetchError:
        return  # refused: fine
    assert all(len(i.get("title") or "") < 10_000 for i in h.items)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "feed url, or an RSSHub instance"),
        ({"url": "http://a", "rsshub": "http://b", "route": "/x"}, "not both"),
        ({"rsshub": "http://b", "route": "/weibo/user/{uid}"}, "placeholders"),
        ({"url": "http://a", "extra": 1}, "extra"),
    ],
)
def test_rss_config_errors(config: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(RssConfig, config)


LIST = """<html><head><meta charset="{enc}"></head><body>
<ul class="news"><li><a href="/a/1.html">县卫健委通报</a></li>
<li><a href="/a/2.html">第二篇</a></li>
<li><a href="/private/3.html">不许抓</a></li><li><a href="https://other.example/x">外站</a></li></ul>
<a href="/about">关于我们</a></body></html>"""
ARTICLE = """<html><head><meta charset="{enc}"><title>{title}</title></head><body>
<div class="nav">首页 | 新闻</div><article><h1>{title}</h1>
<p class="time">发布时间：2026-11-03 10:21</p>
<p>{body}</p><p>县卫生健康委员会高度重视，立即组织专班调查核实，相关情况将及时向社会公布。</p>
<p>欢迎社会各界监督，联系电话见官网。相关调查正在进行中，我们将依法依规处理。</p></article></body></html>"""


def test_web_list_and_articles_in_legacy_encodings_respecting_robots(
    site: Site, fetcher: Fetcher
) -> None:
    site.routes["/news/"] = Reply(200, LIST.format(enc="gbk").encode("gbk"))
    for n, enc in ((1, "gbk"), (2, "big5"), (3, "utf-8")):
        page = ARTICLE.format(enc=enc, title="县卫健委通报情况", body="针对网友反映的问题")
        html = (opencc.OpenCC("s2t").convert(page) if enc == "big5" else page).encode(enc)
        site.routes[f"/a/{n}.html" if n < 3 else "/private/3.html"] = Reply(200, html)
    site.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private/\n")
    config = {"url": site.base + "/news/", "link_selector": "ul.news a"}
    h = harvest("web", config, fetcher)
    assert [i["url"] for i in h.items] == [site.base + "/a/1.html", site.base + "/a/2.html"]
    assert h.items[0]["title"] == "县卫健委通报情况"
    assert "组织专班调查核实" in h.items[0]["text"] and "首页" not in h.items[0]["text"]
    assert h.items[0]["published_at"] == datetime(2026, 11, 3, 2, 21, tzinfo=UTC)
    assert h.items[1]["title"] == "縣衛健委通報情況"
    assert any("robots.txt disallows" in n for n in h.notes)
    ignoring = harvest("web", config, fetcher, respect_robots=False)
    assert len(ignoring.items) == 3
    known = harvest("web", config, fetcher, known=lambda url: url.endswith("/a/1.html"))
    assert [i["url"] for i in known.items] == [site.base + "/a/2.html"]


def test_web_config_rejects_bad_selectors() -> None:
    from yuqing.collect.connectors.web import WebConfig

    with pytest.raises(ConfigError, match="CSS selector"):
        parse_config(WebConfig, {"url": "http://x", "link_selector": "ul >> ["})


def _api_page(handler):  # type: ignore[no-untyped-def]
    page = int(handler.path.split("page=")[1].split("&")[0])
    rows = (
        []
        if page > 2
        else [
            {
                "mid": f"m{page}{i}",
                "content": f"第{page}页第{i}条",
                "created_at": "2026-11-03 10:21",
                "user": {"name": "某媒体", "followers": 1000},
                "read_count": 10 * i,
                "tags": ["a"],
            }
            for i in range(2)
        ]
    )
    return Reply(200, json.dumps({"code": 0, "data": {"list": rows}}, ensure_ascii=False).encode())


def test_api_with_mapping_and_page_pagination(site: Site, fetcher: Fetcher) -> None:
    site.routes["/api/posts"] = _api_page
    config = {
        "url": site.base + "/api/posts",
        "params": {"kw": "某县"},
        "headers": {"X-Key": "k"},
        "items": "data.list",
        "fields": {
            "id": "mid",
            "text": "content",
            "published_at": "created_at",
            "author.name": "user.name",
            "author.followers": "user.followers",
            "metrics.reads": "read_count",
        },
        "pagination": {"type": "page", "param": "page", "start": 1, "max_pages": 5},
    }
    h = harvest("api", config, fetcher)
    assert [i["id"] for i in h.items] == ["m10", "m11", "m20", "m21"]
    assert h.items[1] == {
        "id": "m11",
        "text": "第1页第1条",
        "published_at": "2026-11-03 10:21",
        "author": {"name": "某媒体", "followers": 1000},
        "metrics": {"reads": 10},
    }
    assert site.hits["/api/posts"] == 3  # the empty third page ends it
    path, headers = site.requests[0]
    assert "kw=" in path and headers.get("X-Key") == "k"


def test_api_cursor_pagination_and_errors(site: Site, fetcher: Fetcher) -> None:
    def cursor(handler):  # type: ignore[no-untyped-def]
        after = handler.path.split("after=")[1] if "after=" in handler.path else ""
        nxt = {"": "c1", "c1": "c2", "c2": None}[after]
        return Reply(
            200, json.dumps({"items": [{"t": f"after {after or 'start'}"}], "next": nxt}).encode()
        )

    site.routes["/c"] = cursor
    site.routes["/notjson"] = Reply(200, b"<html>")
    config = {
        "url": site.base + "/c",
        "items": "items",
        "fields": {"text": "t"},
        "pagination": {"type": "cursor", "param": "after", "next": "next", "max_pages": 10},
    }
    h = harvest("api", config, fetcher)
    assert [i["text"] for i in h.items] == ["after start", "after c1", "after c2"]
    with pytest.raises(FetchError, match="not JSON"):
        harvest("api", {**config, "url": site.base + "/notjson", "pagination": None}, fetcher)
    with pytest.raises(ConfigError, match="JMESPath"):
        harvest("api", {**config, "items": "data.[["}, fetcher)
    with pytest.raises(ConfigError, match="unknown item fields"):
        harvest("api", {**config, "fields": {"txt": "t"}}, fetcher)
