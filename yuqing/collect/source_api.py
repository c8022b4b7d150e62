"""JSON API for sources: list with health, add, change, collect now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from yuqing.access.permissions import Permission, Principal
from yuqing.collect import sources
from yuqing.collect.fetch import Fetcher
from yuqing.collect.health import source_health
from yuqing.collect.runner import run_source
from yuqing.collect.tables import Source
from yuqing.store.base import utcnow
from yuqing.web.auth import need

router = APIRouter(prefix="/api/v1/sources", tags=["sources"])


class SourceOut(BaseModel):
    id: int
    key: str
    name: str
    kind: str
    url: str | None
    config: dict[str, Any]
    media_tier: str | None
    mainstream: bool
    region: str | None
    enabled: bool
    interval_seconds: int
    health: str
    health_reason: str
    items_24h: int
    last_success_at: datetime | None
    last_error: str | None
    next_due_at: datetime | None


class RunOut(BaseModel):
    status: str
    found: int
    created: int
    updated: int
    refused: int
    error: str | None
    notes: list[str]


def _out(session: Any, source_id: int) -> SourceOut:
    for s, h in source_health(session, utcnow()):
        if s.id == source_id:
            return _of(s, h)
    raise HTTPException(404, "no such source")


def _of(s: Source, h: Any) -> SourceOut:
    return SourceOut(
        id=s.id,
        key=s.key,
        name=s.name,
        kind=s.kind,
        url=s.url,
        config=sources.masked_config(s.config),
        media_tier=s.media_tier,
        mainstream=s.mainstream,
        region=s.region,
        enabled=s.enabled,
        interval_seconds=s.interval_seconds,
        health=h.state,
        health_reason=h.describe("en"),
        items_24h=h.items_24h,
        last_success_at=s.last_success_at,
        last_error=s.last_error,
        next_due_at=s.next_due_at,
    )


@router.get("", response_model=list[SourceOut])
def list_sources(
    request: Request, who: Principal = Depends(need(Permission.SOURCES_READ))
) -> list[SourceOut]:
    """Every source with its health (ok, failing, silent, waiting, disabled, passive)."""
    with request.app.state.db.read() as session:
        return [_of(s, h) for s, h in source_health(session, utcnow())]


@router.post("", response_model=SourceOut, status_code=201)
def create_source(
    request: Request,
    form: sources.SourceForm,
    who: Principal = Depends(need(Permission.SOURCES_MANAGE)),
) -> SourceOut:
    """Add a source; its configuration is validated for its kind (see docs/collection.md)."""
    try:
        with request.app.state.db.write() as session:
            source_id = sources.create_source(session, form, who.actor).id
    except sources.SourceError as exc:
        raise HTTPException(422, str(exc)) from exc
    with request.app.state.db.read() as session:
        return _out(session, source_id)


@router.put("/{source_id}", response_model=SourceOut)
def update_source(
    request: Request,
    source_id: int,
    form: sources.SourceForm,
    who: Principal = Depends(need(Permission.SOURCES_MANAGE)),
) -> SourceOut:
    """Replace a source's settings (a changed target is collected again at once)."""
    try:
        with request.app.state.db.write() as session:
            sources.update_source(session, source_id, form, who.actor)
    except sources.SourceError as exc:
        status = 404 if "no such source" in str(exc) else 422
        raise HTTPException(status, str(exc)) from exc
    with request.app.state.db.read() as session:
        return _out(session, source_id)


@router.post("/{source_id}/collect", response_model=RunOut)
def collect_now(
    request: Request,
    source_id: int,
    test: bool = False,
    who: Principal = Depends(need(Permission.SOURCES_MANAGE)),
) -> RunOut:
    """Collect the source now; with `test=true`, fetch and validate but store nothing."""
    with request.app.state.db.read() as session:
        if session.get(Source, source_id) is None:
            raise HTTPException(404, "no such source")
    fetcher = Fetcher()
    try:
        run = run_source(request.app.state.db, source_id, fetcher, store=not test)
    finally:
        fetcher.close()
    return RunOut(
        status=run.status,
        found=run.found,
        created=run.result.created,
        updated=run.result.updated,
        refused=len(run.result.errors),
        error=run.error,
        notes=run.notes,
    )
