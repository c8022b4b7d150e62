"""JSON HTTP APIs (data vendors): items found and mapped with JMESPath, with pagination."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from yuqing.collect.connectors.base import Harvest, SourceSpec, parse_config
from yuqing.collect.fetch import Fetcher, FetchError
from yuqing.collect.schema import METRICS

TARGETS = (
    "id",
    "url",
    "title",
    "text",
    "published_at",
    "reply_to",
    "author.name",
    "author.followers",
    "author.verified",
    "author.kind",
    *(f"metrics.{m}" for m in METRICS),
)


def _compile(expr: str) -> str:
    try:
        jmespath.compile(expr)
    except JMESPathError as exc:
        raise ValueError(f"bad JMESPath {expr!r}: {exc}") from exc
    return expr


class Pagination(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["page", "cursor"] = "page"
    param: str = Field("page", max_length=100, description="query parameter to send")
    start: int = Field(1, description="first page number (type page)")
    next: str | None = Field(None, description="JMESPath to the next cursor (type cursor)")
    max_pages: int = Field(3, ge=1, le=50)

    @model_validator(mode="after")
    def _cursor_needs_next(self) -> Pagination:
        if self.type == "cursor":
            if not self.next:
                raise ValueError("cursor pagination needs `next`, a JMESPath to the next cursor")
            _compile(self.next)
        return self


class ApiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., max_length=2048)
    params: dict[str, str] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    items: str = Field(..., description="JMESPath from the response to the list of items")
    fields: dict[str, str] = Field(..., description="item field → JMESPath within one item")
    pagination: Pagination | None = None

    @field_validator("items")
    @classmethod
    def _items(cls, value: str) -> str:
        return _compile(value)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(TARGETS))
        if unknown:
            raise ValueError(f"unknown item fields {unknown}; use {', '.join(TARGETS)}")
        if "text" not in value and "title" not in value:
            raise ValueError("map at least text or title")
        for expr in value.values():
            _compile(expr)
        return value


def map_item(raw: Any, fields: dict[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for target, expr in fields.items():
        value = jmespath.search(expr, raw)
        if value is None:
            continue
        head, _, tail = target.partition(".")
        if tail:
            item.setdefault(head, {})[tail] = value
        else:
            item[head] = value if not isinstance(value, (dict, list)) else json.dumps(value)
    return item


class ApiConnector:
    kind = "api"
    config_model = ApiConfig

    def url_of(self, config: BaseModel) -> str:
        assert isinstance(config, ApiConfig)
        return config.url

    def harvest(
        self, spec: SourceSpec, fetcher: Fetcher, now: datetime, known_url: Callable[[str], bool]
    ) -> Harvest:
        cfg: ApiConfig = parse_config(ApiConfig, spec.config)
        pages = cfg.pagination
        harvest = Harvest()
        params = dict(cfg.params)
        for page in range(pages.max_pages if pages else 1):
            if pages and pages.type == "page":
                params[pages.param] = str(pages.start + page)
            fetched = fetcher.get(
                cfg.url, allow_private=spec.allow_private, headers=cfg.headers, params=params
            )
            try:
                doc = json.loads(fetched.body)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise FetchError(f"not JSON from {fetched.url}: {exc}") from exc
            except RecursionError as exc:
                raise FetchError(f"JSON from {fetched.url} is nested too deeply to read") from exc
            found = jmespath.search(cfg.items, doc)
            if found is None:
                found = []
            if not isinstance(found, list):
                raise FetchError(f"`{cfg.items}` is not a list in the response of {fetched.url}")
            harvest.items.extend(map_item(raw, cfg.fields) for raw in found)
            if not found or pages is None:
                break
            if pages.type == "cursor":
                cursor = jmespath.search(pages.next or "", doc)
                if cursor in (None, ""):
                    break
                params[pages.param] = str(cursor)
        return harvest
