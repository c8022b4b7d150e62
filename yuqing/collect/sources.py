"""Sources: created on first use by imports and pushes, or configured by an admin for pulling."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.collect.connectors import CONNECTORS, ConfigError
from yuqing.collect.connectors.base import parse_config
from yuqing.collect.tables import Item, Source

KEY = re.compile(r"^[\w.\-:/@]{1,100}$")
KINDS = ("rss", "web", "api", "push", "file", "manual")
MEDIA_TIERS = ("central", "provincial", "local", "portal", "self_media", "official")
FIELDS = [
    "key",
    "name",
    "kind",
    "url",
    "config",
    "media_tier",
    "mainstream",
    "region",
    "enabled",
    "interval_seconds",
    "jitter_seconds",
    "allow_private",
    "respect_robots",
    "silent_hours",
]


class SourceError(ValueError):
    pass


class SourceForm(BaseModel):
    """What an admin sets for a source (console, API or CLI)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    key: str = Field(..., min_length=1, max_length=100)
    name: str = Field(..., min_length=1, max_length=200)
    kind: Literal["rss", "web", "api", "push", "file", "manual"]
    config: dict[str, Any] = Field(default_factory=dict)
    media_tier: (
        Literal["central", "provincial", "local", "portal", "self_media", "official"] | None
    ) = None
    mainstream: bool = False
    region: str | None = Field(None, max_length=100)
    enabled: bool = True
    interval_seconds: int = Field(600, ge=30, le=7 * 86400)
    jitter_seconds: int = Field(60, ge=0, le=86400)
    allow_private: bool = False
    respect_robots: bool = True
    silent_hours: int | None = Field(None, ge=1, le=24 * 90)


def _check(form: SourceForm) -> str | None:
    """Validate the key and the kind's configuration; the URL the source will fetch, if any."""
    if not KEY.match(form.key):
        raise SourceError(f"bad source key {form.key!r}: letters, digits and _ . - : / @ only")
    connector = CONNECTORS.get(form.kind)
    if connector is None:
        return None
    try:
        return connector.url_of(parse_config(connector.config_model, form.config))
    except ConfigError as exc:
        raise SourceError(f"配置有误 / bad configuration: {exc}") from exc


def masked_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """A configuration fit to log or send out: header values (API keys) masked."""
    out = dict(config or {})
    if isinstance(out.get("headers"), dict):
        out["headers"] = dict.fromkeys(out["headers"], "***")
    return out


def _snapshot(source: Source) -> dict[str, Any]:
    """The audited view of a source, with its secrets masked."""
    out = {f: getattr(source, f) for f in FIELDS}
    out["config"] = masked_config(out["config"])
    return out


def create_source(session: Session, form: SourceForm, actor: Actor) -> Source:
    url = _check(form)
    if session.execute(select(Source.id).where(Source.key == form.key)).first():
        raise SourceError(f"信息源 {form.key} 已存在 / source exists")
    source = Source(**form.model_dump(), url=url)
    session.add(source)
    session.flush()
    record(
        session,
        actor,
        "source.create",
        "source",
        source.id,
        summary=form.key,
        after=_snapshot(source),
    )
    return source


def update_source(session: Session, source_id: int, form: SourceForm, actor: Actor) -> Source:
    source = get_source(session, source_id)
    url = _check(form)
    if (
        form.key != source.key
        and session.execute(select(Source.id).where(Source.key == form.key)).first()
    ):
        raise SourceError(f"信息源 {form.key} 已存在 / source exists")
    before = _snapshot(source)
    for name, value in form.model_dump().items():
        setattr(source, name, value)
    source.url = url
    if before["config"] != source.config or before["url"] != url:
        source.etag = source.last_modified = None  # a new target: forget old validators
        source.next_due_at = None  # and collect it now
    session.flush()
    after = _snapshot(source)
    if after != before:
        record(
            session,
            actor,
            "source.update",
            "source",
            source.id,
            summary=source.key,
            before=before,
            after=after,
        )
    return source


def set_enabled(session: Session, source_id: int, enabled: bool, actor: Actor) -> Source:
    source = get_source(session, source_id)
    if source.enabled != enabled:
        source.enabled = enabled
        source.next_due_at = None if enabled else source.next_due_at
        record(
            session,
            actor,
            "source.enable" if enabled else "source.disable",
            "source",
            source.id,
            summary=source.key,
        )
    return source


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise SourceError(f"没有信息源 {source_id} / no such source")
    return source


def find_source(session: Session, key: str) -> Source:
    source = session.execute(select(Source).where(Source.key == key)).scalar_one_or_none()
    if source is None:
        raise SourceError(f"没有信息源 {key} / no such source")
    return source


def form_of(source: Source) -> SourceForm:
    return SourceForm.model_validate({f: getattr(source, f) for f in FIELDS if f != "url"})


def source_id(session: Session, key: str, kind: str, actor: Actor) -> int:
    """The id of the source with this key, creating it (kind file/push/manual) if new."""
    key = key.strip()
    if not KEY.match(key):
        raise SourceError(f"bad source key {key!r}: letters, digits and _ . - : / @ only")
    found = session.execute(select(Source.id).where(Source.key == key)).scalar_one_or_none()
    if found is not None:
        return found
    src = Source(key=key, name=key, kind=kind, config={})
    session.add(src)
    session.flush()
    record(
        session,
        actor,
        "source.create",
        "source",
        src.id,
        summary=key,
        after={"key": key, "kind": kind},
    )
    return src.id


def list_sources(session: Session) -> list[tuple[Source, int]]:
    """Every source with its number of stored items."""
    counts = select(Item.source_id, func.count().label("n")).group_by(Item.source_id).subquery()
    rows = session.execute(
        select(Source, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.source_id == Source.id)
        .order_by(Source.key)
    ).all()
    return [(s, int(n)) for s, n in rows]


def parse_form_errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)
    )
