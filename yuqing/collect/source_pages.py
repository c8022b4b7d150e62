"""Console pages for sources: the health list, adding and editing, testing, collecting now."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from yuqing.access.permissions import Permission, Principal
from yuqing.collect import sources
from yuqing.collect.connectors.rss import RSSHUB_ROUTES
from yuqing.collect.fetch import Fetcher
from yuqing.collect.health import recent_runs, source_health
from yuqing.collect.runner import run_source
from yuqing.store.base import utcnow
from yuqing.web.auth import need
from yuqing.web.forms import form_text
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)


def _config(form: FormData, kind: str) -> dict[str, Any]:
    if kind == "rss":
        if form_text(form, "cfg_rsshub") or form_text(form, "cfg_route"):
            return {"rsshub": form_text(form, "cfg_rsshub"), "route": form_text(form, "cfg_route")}
        return {"url": form_text(form, "cfg_url")}
    if kind == "web":
        return {
            "url": form_text(form, "cfg_url"),
            "link_selector": form_text(form, "cfg_link_selector") or "a",
            "same_host": form.get("cfg_same_host") == "on",
            "max_articles": int(form_text(form, "cfg_max_articles") or 20),
        }
    if kind == "api":
        raw = form_text(form, "cfg_json") or "{}"
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise sources.SourceError(f"API 配置不是合法 JSON / config is not JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise sources.SourceError("API 配置须为 JSON 对象 / config must be a JSON object")
        return value
    return {}


def form_from(form: FormData) -> sources.SourceForm:
    kind = form_text(form, "kind")
    minutes = form_text(form, "interval_minutes")
    try:
        return sources.SourceForm(
            key=form_text(form, "key"),
            name=form_text(form, "name") or form_text(form, "key"),
            kind=kind,
            config=_config(form, kind),
            media_tier=form_text(form, "media_tier") or None,
            mainstream=form.get("mainstream") == "on",
            region=form_text(form, "region") or None,
            enabled=form.get("enabled") == "on",
            interval_seconds=int(float(minutes) * 60) if minutes else 600,
            jitter_seconds=int(form_text(form, "jitter_seconds") or 60),
            allow_private=form.get("allow_private") == "on",
            respect_robots=form.get("respect_robots") == "on",
            silent_hours=int(form_text(form, "silent_hours"))
            if form_text(form, "silent_hours")
            else None,
        )
    except ValidationError as exc:
        raise sources.SourceError(sources.parse_form_errors(exc)) from exc
    except ValueError as exc:
        raise sources.SourceError(f"数字格式有误 / not a number: {exc}") from exc


def _form_page(
    request: Request,
    values: sources.SourceForm | SimpleNamespace | None,
    source_id: int | None,
    error: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "source_form.html",
        {
            "values": values,
            "source_id": source_id,
            "error": error,
            "kinds": sources.KINDS,
            "tiers": sources.MEDIA_TIERS,
            "routes": RSSHUB_ROUTES,
            "api_example": API_EXAMPLE,
        },
        400 if error else 200,
    )


@router.get("/sources")
def sources_page(
    request: Request, who: Principal = Depends(need(Permission.SOURCES_READ))
) -> Response:
    with request.app.state.db.read() as session:
        rows = source_health(session, utcnow())
    return render(request, "sources.html", {"rows": rows})


@router.get("/sources/new")
def new_source(
    request: Request, who: Principal = Depends(need(Permission.SOURCES_MANAGE))
) -> Response:
    return _form_page(request, None, None)


@router.post("/sources/new")
async def create_source(
    request: Request, who: Principal = Depends(need(Permission.SOURCES_MANAGE))
) -> Response:
    return await _save(request, who, None)


@router.get("/sources/{source_id}")
def source_detail(
    request: Request, source_id: int, who: Principal = Depends(need(Permission.SOURCES_READ))
) -> Response:
    return _detail(request, source_id)


def _detail(request: Request, source_id: int, **extra: object) -> HTMLResponse:
    with request.app.state.db.read() as session:
        health = dict((s.id, (s, h)) for s, h in source_health(session, utcnow()))
        if source_id not in health:
            raise HTTPException(404)
        source, h = health[source_id]
        runs = recent_runs(session, source_id)
        values = sources.form_of(source)
    return render(
        request,
        "source.html",
        {"source": source, "health": h, "runs": runs, "values": values, **extra},
    )


@router.get("/sources/{source_id}/edit")
def edit_source(
    request: Request, source_id: int, who: Principal = Depends(need(Permission.SOURCES_MANAGE))
) -> Response:
    with request.app.state.db.read() as session:
        try:
            values = sources.form_of(sources.get_source(session, source_id))
        except sources.SourceError as exc:
            raise HTTPException(404) from exc
    return _form_page(request, values, source_id)


@router.post("/sources/{source_id}/edit")
async def update_source(
    request: Request, source_id: int, who: Principal = Depends(need(Permission.SOURCES_MANAGE))
) -> Response:
    return await _save(request, who, source_id)


async def _save(request: Request, who: Principal, source_id: int | None) -> Response:
    """Create (no id) or change a source; on a mistake the form comes back as it was typed."""
    form = await request.form()

    def work() -> Response:
        try:
            values = form_from(form)
            with request.app.state.db.write() as session:
                if source_id is None:
                    saved = sources.create_source(session, values, who.actor).id
                else:
                    saved = sources.update_source(session, source_id, values, who.actor).id
        except sources.SourceError as exc:
            return _form_page(request, _as_typed(form), source_id, str(exc))
        return RedirectResponse(f"/sources/{saved}", status_code=303)

    return await run_in_threadpool(work)


def _as_typed(form: FormData) -> SimpleNamespace:
    """The submitted form in the shape the template reads, even where it does not validate."""
    kind = form_text(form, "kind")
    try:
        config = _config(form, kind)
    except (sources.SourceError, ValueError):
        config = {}
    minutes = form_text(form, "interval_minutes")
    try:
        interval = int(float(minutes) * 60) if minutes else 600
    except ValueError:
        interval = 600
    return SimpleNamespace(
        key=form_text(form, "key"),
        name=form_text(form, "name"),
        kind=kind,
        config=config,
        media_tier=form_text(form, "media_tier") or None,
        region=form_text(form, "region"),
        mainstream=form.get("mainstream") == "on",
        enabled=form.get("enabled") == "on",
        respect_robots=form.get("respect_robots") == "on",
        allow_private=form.get("allow_private") == "on",
        interval_seconds=interval,
        jitter_seconds=form_text(form, "jitter_seconds") or 60,
        silent_hours=form_text(form, "silent_hours") or None,
    )


@router.post("/sources/{source_id}/{action}")
def source_action(
    request: Request,
    source_id: int,
    action: str,
    who: Principal = Depends(need(Permission.SOURCES_MANAGE)),
) -> Response:
    db = request.app.state.db
    try:
        if action in ("enable", "disable"):
            with db.write() as session:
                sources.set_enabled(session, source_id, action == "enable", who.actor)
            return RedirectResponse(f"/sources/{source_id}", status_code=303)
        if action in ("test", "collect"):
            with db.read() as session:
                sources.get_source(session, source_id)
            fetcher = Fetcher()
            try:
                result = run_source(db, source_id, fetcher, store=action == "collect")
            finally:
                fetcher.close()
            return _detail(request, source_id, run=result, tested=action == "test")
    except sources.SourceError as exc:
        raise HTTPException(404, str(exc)) from exc
    raise HTTPException(404)


API_EXAMPLE = json.dumps(
    {
        "url": "https://vendor.example/api/v1/posts",
        "params": {"keyword": "某县"},
        "headers": {"Authorization": "Bearer …"},
        "items": "data.list",
        "fields": {
            "id": "mid",
            "url": "link",
            "text": "content",
            "published_at": "created_at",
            "author.name": "user.name",
            "metrics.reads": "read_count",
            "metrics.comments": "comment_count",
        },
        "pagination": {"type": "page", "param": "page", "start": 1, "max_pages": 3},
    },
    ensure_ascii=False,
    indent=2,
)
