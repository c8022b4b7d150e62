"""The item schema: what a file line, a pushed JSON object or a collector hands to intake.

Documented in docs/items.md. Limits are deliberate: an item is a post or an article, not a
book, and a batch is what one request or one transaction should carry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from yuqing.text.times import BadTime, parse_time

MAX_TEXT = 50_000
MAX_TITLE = 1_000
MAX_URL = 4_096
MAX_ID = 200
MAX_COUNT = 10**12
AUTHOR_KINDS = ("person", "media", "official", "organisation", "other")
METRICS = ("reads", "comments", "reposts", "likes")


def _time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_time(value)
    except BadTime as exc:
        raise ValueError(str(exc)) from exc


def _text_id(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("id must be text or a number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def _blank_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _short(limit: int) -> Any:
    """Optional text of at most `limit` characters; blank counts as absent."""
    return Annotated[Annotated[str, Field(max_length=limit)] | None, BeforeValidator(_blank_none)]


Time = Annotated[datetime | None, BeforeValidator(_time)]
TextId = Annotated[Annotated[str, Field(max_length=MAX_ID)] | None, BeforeValidator(_text_id)]
Count = Annotated[
    int, BeforeValidator(lambda v: 0 if _blank_none(v) is None else v), Field(ge=0, le=MAX_COUNT)
]


class AuthorIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    name: _short(200) = None
    followers: Annotated[
        Annotated[int, Field(ge=0, le=MAX_COUNT)] | None, BeforeValidator(_blank_none)
    ] = None
    verified: Annotated[bool | None, BeforeValidator(_blank_none)] = None
    kind: Annotated[Literal[AUTHOR_KINDS] | None, BeforeValidator(_blank_none)] = None  # type: ignore[valid-type]


class MetricsIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reads: Count = 0
    comments: Count = 0
    reposts: Count = 0
    likes: Count = 0

    def values(self) -> tuple[int, int, int, int]:
        return (self.reads, self.comments, self.reposts, self.likes)


class ItemIn(BaseModel):
    """One item. `id` is the source's own id; with `source` it identifies the item for ever."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    id: TextId = None
    source: _short(100) = None
    url: _short(MAX_URL) = None
    title: _short(MAX_TITLE) = None
    text: Annotated[
        Annotated[str, Field(max_length=MAX_TEXT)],
        BeforeValidator(lambda v: "" if v is None else v),
    ] = ""
    author: AuthorIn | None = None
    published_at: Time = None
    observed_at: Time = None
    metrics: MetricsIn | None = None
    reply_to: TextId = None

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        """NUL characters are dropped everywhere: PostgreSQL cannot store them in text."""
        return _strip_nul(data)

    @model_validator(mode="after")
    def _has_content(self) -> ItemIn:
        if not self.text and not self.title:
            raise ValueError("item has neither text nor title")
        return self


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: _strip_nul(v) for k, v in value.items()}
    return value


def unflatten(row: dict[str, Any]) -> dict[str, Any]:
    """Accept flat columns (CSV, spreadsheets, flat JSON): author_name or author.name, reads…"""
    out: dict[str, Any] = {}
    author: dict[str, Any] = (
        dict(row.get("author") or {}) if isinstance(row.get("author"), dict) else {}
    )
    metrics: dict[str, Any] = (
        dict(row.get("metrics") or {}) if isinstance(row.get("metrics"), dict) else {}
    )
    for key, value in row.items():
        if key is None:
            continue
        k = str(key).strip().lower()
        if k.startswith(("author_", "author.")):
            author[k[7:]] = value
        elif k.startswith("metrics.") and k[8:] in METRICS:
            metrics[k[8:]] = value
        elif k in METRICS:
            metrics[k] = value
        elif k == "author" and not isinstance(value, dict):
            author["name"] = value
        elif k not in ("author", "metrics"):
            out[k] = value
    if any(v not in (None, "") for v in author.values()):
        out["author"] = author
    if any(v not in (None, "") for v in metrics.values()):
        out["metrics"] = metrics
    return out


def describe(error: ValidationError) -> str:
    """One line naming each bad field and why, for import reports and API answers."""
    parts = []
    for e in error.errors(include_url=False):
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "string_too_long":
            limit = e.get("ctx", {}).get("max_length")
            msg = f"too long: {len(e['input'])} characters, at most {limit}"
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)
