"""Web list pages: links chosen by a CSS selector, each article extracted with trafilatura.

robots.txt is respected unless the admin turns it off for the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import trafilatura
from cssselect import SelectorError
from lxml.etree import ParserError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from yuqing.collect.connectors.base import Harvest, SourceSpec, parse_config
from yuqing.collect.fetch import USER_AGENT, Fetcher, FetchError
from yuqing.collect.markup import decode_page
from yuqing.text.times import BadTime, parse_source_time

# A full Chinese or ISO date-time in the page: trafilatura often finds only the day, or nothing.
_PAGE_TIME = re.compile(
    r"(\d{4}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?\s+\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?)"
)


HTML_TYPES = {"text/html", "application/xhtml+xml", "text/plain", ""}


class WebConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., max_length=2048, description="the list page")
    link_selector: str = Field("a", max_length=500, description="CSS selector for article links")
    same_host: bool = Field(True, description="follow only links on the list page's host")
    max_articles: int = Field(20, ge=1, le=200, description="new articles fetched per run")

    @field_validator("link_selector")
    @classmethod
    def _selector(cls, value: str) -> str:
        try:
            lxml.html.fromstring("<p></p>").cssselect(value)
        except SelectorError as exc:
            raise ValueError(f"not a CSS selector: {exc}") from exc
        return value


def _parse(html: str) -> tuple[lxml.html.HtmlElement, list[str]]:
    """The page's tree, and the fatal troubles of the parse (it keeps what came before them)."""
    # libxml2 stops at 256 levels by default; bloated CMS pages go deeper. 2048 is its ceiling.
    parser = lxml.html.HTMLParser(huge_tree=True)
    root = lxml.html.fromstring(html, parser=parser)
    return root, [
        f"{e.message} (line {e.line}, column {e.column})"
        for e in parser.error_log
        if e.level_name == "FATAL"
    ]


def article_links(
    html: str, base: str, selector: str, same_host: bool, notes: list[str] | None = None
) -> list[str]:
    """The article links on a list page; what the parser could not read goes to `notes`."""
    notes = notes if notes is not None else []
    try:
        root, trouble = _parse(html)
    except (ParserError, ValueError) as exc:
        notes.append(f"list page {base} is not readable HTML: {exc}")
        return []
    notes.extend(f"list page {base} read only in part: {t}" for t in trouble)
    host = urlsplit(base).hostname
    out: list[str] = []
    for el in root.cssselect(selector):
        anchor = el if el.tag == "a" else next(el.iter("a"), None)
        href = anchor.get("href") if anchor is not None else None
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base, href.strip()).split("#", 1)[0]
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        if same_host and urlsplit(url).hostname != host:
            continue
        if url not in out:
            out.append(url)
    return out


def extract_article(html: str, url: str, now: datetime) -> dict[str, Any] | None:
    try:
        tree, _ = _parse(html)
    except (ParserError, ValueError):
        return None
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, favor_precision=True
    )
    data = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
    text = (data.get("text") or "").strip()
    title = (data.get("title") or "").strip()
    if not text:
        return None
    published = None
    if m := _PAGE_TIME.search(html):
        try:
            published = parse_source_time(m.group(1), now)
        except BadTime:
            published = None
    if published is None and data.get("date"):
        try:
            published = parse_source_time(data["date"], now)
        except BadTime:
            published = None
    item: dict[str, Any] = {
        "id": url,
        "url": url,
        "title": title or None,
        "text": text,
        "published_at": published,
    }
    if data.get("author"):
        item["author"] = {"name": str(data["author"])[:200]}
    return item


class WebConnector:
    kind = "web"
    config_model = WebConfig

    def url_of(self, config: BaseModel) -> str:
        assert isinstance(config, WebConfig)
        return config.url

    def harvest(
        self, spec: SourceSpec, fetcher: Fetcher, now: datetime, known_url: Callable[[str], bool]
    ) -> Harvest:
        cfg: WebConfig = parse_config(WebConfig, spec.config)
        robots = _Robots(fetcher, spec.allow_private) if spec.respect_robots else None
        harvest = Harvest()
        if robots and not robots.allowed(cfg.url):
            raise FetchError(f"robots.txt of {urlsplit(cfg.url).hostname} disallows {cfg.url}")
        listing = fetcher.get(cfg.url, allow_private=spec.allow_private)
        html, _ = decode_page(listing.body, listing.charset)
        links = [
            u
            for u in article_links(
                html, listing.url, cfg.link_selector, cfg.same_host, harvest.notes
            )
            if not known_url(u)
        ]
        for url in links[: cfg.max_articles]:
            if robots and not robots.allowed(url):
                harvest.notes.append(f"robots.txt disallows {url}")
                continue
            try:
                page = fetcher.get(url, allow_private=spec.allow_private)
            except FetchError as exc:
                harvest.notes.append(str(exc))
                continue
            kind = page.headers.get("content-type", "text/html").split(";")[0].strip().lower()
            if kind not in HTML_TYPES:
                harvest.notes.append(f"{url} is not a web page ({kind})")
                continue
            text, _ = decode_page(page.body, page.charset)
            item = extract_article(text, page.url, now)
            if item is None:
                harvest.notes.append(f"no article text found at {url}")
            else:
                harvest.items.append(item)
        if len(links) > cfg.max_articles:
            harvest.notes.append(
                f"{len(links) - cfg.max_articles} more links wait for the next run"
            )
        return harvest


class _Robots:
    """robots.txt per host, fetched once per run through the same guarded fetcher."""

    def __init__(self, fetcher: Fetcher, allow_private: bool) -> None:
        self.fetcher = fetcher
        self.allow_private = allow_private
        self.parsers: dict[str, RobotFileParser | None] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.parsers:
            parser: RobotFileParser | None = RobotFileParser()
            try:
                fetched = self.fetcher.get(origin + "/robots.txt", allow_private=self.allow_private)
                parser.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
            except FetchError:
                parser = None  # no robots.txt (or unreachable): everything is allowed
            self.parsers[origin] = parser
        parser = self.parsers[origin]
        return parser is None or parser.can_fetch(USER_AGENT, url)
