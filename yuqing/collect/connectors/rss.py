"""RSS and Atom feeds, with RSSHub as a first-class preset.

RSSHub (a self-hosted instance) is how Chinese teams follow Weibo users and keywords, WeChat
accounts, Zhihu, Bilibili, Tieba and Douyin as feeds: the admin gives the instance URL and a route.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import feedparser
from pydantic import BaseModel, ConfigDict, Field, model_validator

from yuqing.collect.connectors.base import Harvest, SourceSpec, parse_config
from yuqing.collect.fetch import Fetcher, FetchError
from yuqing.collect.markup import fragment_text
from yuqing.text.encoding import decode
from yuqing.text.times import BadTime, parse_source_time

RSSHUB_ROUTES: list[tuple[str, str]] = [
    ("/weibo/user/{uid}", "微博用户 Weibo user"),
    ("/weibo/keyword/{keyword}", "微博关键词 Weibo keyword"),
    ("/weibo/search/hot", "微博热搜 Weibo hot search"),
    ("/zhihu/hot", "知乎热榜 Zhihu hot list"),
    ("/bilibili/user/video/{uid}", "B站用户投稿 Bilibili uploads"),
    ("/tieba/forum/{kw}", "百度贴吧 Tieba forum"),
    ("/douyin/user/{uid}", "抖音用户 Douyin user"),
    ("/wechat/mp/msgalbum/{biz}/{aid}", "微信公众号专辑 WeChat album"),
]


class RssConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(None, max_length=2048, description="the feed URL")
    rsshub: str | None = Field(
        None, max_length=2048, description="RSSHub instance, e.g. http://rsshub:1200"
    )
    route: str | None = Field(
        None, max_length=1024, description="RSSHub route, e.g. /weibo/user/123"
    )

    @model_validator(mode="after")
    def _one_way(self) -> RssConfig:
        if self.url and (self.rsshub or self.route):
            raise ValueError("give either url, or rsshub and route, not both")
        if not self.url and not (self.rsshub and self.route):
            raise ValueError("give the feed url, or an RSSHub instance and a route")
        if self.route and not self.route.startswith("/"):
            raise ValueError("an RSSHub route starts with /")
        if self.route and "{" in self.route:
            raise ValueError("fill in the route's placeholders, e.g. {uid}")
        return self


def _entry_time(entry: Any, now: datetime) -> datetime | None:
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw:
            try:
                return parse_source_time(raw, now)
            except BadTime:
                parsed = entry.get(f"{key}_parsed")
                if parsed:
                    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return None


def _entry_item(entry: Any, now: datetime) -> dict[str, Any] | None:
    link = entry.get("link")
    content = entry.get("content") or []
    html = content[0].get("value", "") if content else entry.get("summary", "")
    title = fragment_text(entry.get("title", ""))
    text = fragment_text(html)
    if not (text or title):
        return None
    item: dict[str, Any] = {
        "id": entry.get("id") or link,
        "url": link,
        "title": title or None,
        "text": text,
        "published_at": _entry_time(entry, now),
    }
    if entry.get("author"):
        item["author"] = {"name": entry["author"][:200]}
    return item


def parse_feed(body: bytes, charset: str | None) -> Any:
    """feedparser, with our own decoding when the feed's declared encoding is wrong or absent."""
    headers = {"content-type": f"application/xml; charset={charset}"} if charset else {}
    parsed = feedparser.parse(body, response_headers=headers)
    exc = parsed.get("bozo_exception")
    encoding_trouble = exc is not None and "Encoding" in type(exc).__name__
    if encoding_trouble or (not parsed.entries and parsed.bozo):
        text = decode(body).text
        retry = feedparser.parse(
            text.encode("utf-8"),
            response_headers={"content-type": "application/xml; charset=utf-8"},
        )
        if retry.entries or not parsed.entries:
            parsed = retry
    return parsed


class RssConnector:
    kind = "rss"
    config_model = RssConfig

    def url_of(self, config: BaseModel) -> str:
        assert isinstance(config, RssConfig)
        if config.url:
            return config.url
        return (config.rsshub or "").rstrip("/") + (config.route or "")

    def harvest(
        self, spec: SourceSpec, fetcher: Fetcher, now: datetime, known_url: Callable[[str], bool]
    ) -> Harvest:
        url = self.url_of(parse_config(RssConfig, spec.config))
        fetched = fetcher.get(
            url, allow_private=spec.allow_private, etag=spec.etag, last_modified=spec.last_modified
        )
        harvest = Harvest(
            etag=fetched.headers.get("etag") or spec.etag,
            last_modified=fetched.headers.get("last-modified") or spec.last_modified,
        )
        if fetched.not_modified:
            harvest.not_modified = True
            return harvest
        parsed = parse_feed(fetched.body, fetched.charset)
        if not parsed.entries and parsed.bozo:
            raise FetchError(f"not a readable feed at {url}: {parsed.get('bozo_exception')}")
        if not parsed.entries and not parsed.get("version"):
            raise FetchError(f"no RSS or Atom feed at {url} (an ordinary web page?)")
        if parsed.bozo:
            harvest.notes.append(f"feed has errors but was read: {parsed.get('bozo_exception')}")
        for entry in parsed.entries:
            item = _entry_item(entry, now)
            if item is not None:
                harvest.items.append(item)
        return harvest
