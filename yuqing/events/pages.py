"""Console pages of the events stage: the event list, one event's analysis and the changes
people make to events (merge, split, move, edit, level by hand)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.access.permissions import Permission, Principal
from yuqing.collect.queries import items_by_id
from yuqing.events import admin, analysis
from yuqing.events.queries import EventFilter, list_events, member_count, members
from yuqing.events.tables import Event
from yuqing.incident.queries import open_or_latest
from yuqing.judge.queries import sentiments_of
from yuqing.plan import versions
from yuqing.plan.expr import FLAGS, METRICS
from yuqing.plan.schema import COLOURS
from yuqing.warn.queries import active_warnings, steps_of_event
from yuqing.web.auth import need
from yuqing.web.forms import form_int, form_text
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)


def level_view(session: Any, version_id: int | None) -> dict[int, dict[str, str]]:
    """Each level's label and colour under a plan version (the active one if none)."""
    v = versions.get(session, version_id) if version_id else versions.active(session)
    if v is None:
        return {}
    return {
        lv.number: {"label": lv.label, "colour": COLOURS[lv.spec.colour]} for lv in v.plan.levels
    }


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request,
    level: str = "",
    drill: str = "",
    graded: str = "",
    who: Principal = Depends(need(Permission.EVENTS_READ)),
) -> HTMLResponse:
    f = EventFilter(
        drill=drill == "1",
        level=int(level) if level.isdigit() else None,
        graded_only=graded == "1",
    )
    with request.app.state.db.read() as session:
        rows = list_events(session, f)
        warned = {w.event_id: w for w in active_warnings(session, f.drill)}
        levels = level_view(session, None)
    return render(
        request,
        "events.html",
        {"rows": rows, "warned": warned, "levels": levels, "f": f, "flags": FLAGS},
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(
    request: Request,
    event_id: int,
    error: str = "",
    who: Principal = Depends(need(Permission.EVENTS_READ)),
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        event = session.get(Event, event_id)
        if event is None:
            raise HTTPException(404)
        rows = members(session, event_id)
        stored = {s.id: s for s in items_by_id(session, [r.item_id for r in rows])}
        sentiments = sentiments_of(session, list(stored))
        steps = steps_of_event(session, event_id)
        levels = level_view(session, event.plan_version_id)
        total = member_count(session, event_id)
        plan = versions.get(session, event.plan_version_id) if event.plan_version_id else None
        incident = open_or_latest(session, event_id)
        answered = [(incident.answered_at, "回应")] if incident and incident.answered_at else []
        tz = request.app.state.settings.tz
        chart, negative = analysis.charts(session, event_id, tz, answered)
        where = analysis.spread(session, event_id)
        tree = analysis.repost_tree(session, event_id)
    return render(
        request,
        "event.html",
        {
            "e": event,
            "chart": chart,
            "rows": rows,
            "stored": stored,
            "sentiments": sentiments,
            "steps": steps,
            "levels": levels,
            "total": total,
            "plan": plan,
            "metric_names": METRICS,
            "flags": FLAGS,
            "error": error,
            "negative": negative,
            "where": where,
            "cloud": analysis.keyword_cloud(list(event.keywords or [])),
            "tree": tree,
            "incident": incident,
        },
    )


def _back(event_id: int, error: str = "") -> Response:
    url = f"/events/{event_id}" + (f"?error={error}" if error else "")
    return RedirectResponse(url, status_code=303)


async def _change(request: Request, event_id: int, change: Any) -> Response:
    form = await request.form()

    def run() -> int | None:
        with request.app.state.db.write() as session:
            return change(session, form)

    try:
        target = await run_in_threadpool(run)
    except admin.EventError as exc:
        return _back(event_id, str(exc))
    return _back(target or event_id)


@router.post("/events/{event_id}/edit")
async def edit_event(
    request: Request, event_id: int, who: Principal = Depends(need(Permission.EVENTS_MANAGE))
) -> Response:
    return await _change(
        request,
        event_id,
        lambda s, form: admin.edit(
            s,
            event_id,
            form_text(form, "title"),
            form_text(form, "keywords").replace("，", ",").replace("、", ",").split(","),
            who.actor,
        ),
    )


@router.post("/events/{event_id}/merge")
async def merge_events(
    request: Request, event_id: int, who: Principal = Depends(need(Permission.EVENTS_MANAGE))
) -> Response:
    def change(s: Any, form: Any) -> None:
        raw = form_text(form, "others").replace("，", ",").replace("#", "")
        others = [int(x) for x in raw.replace(" ", ",").split(",") if x.strip().isdigit()]
        if not others:
            raise admin.EventError("请填写要并入的事件编号 / give the events to merge in")
        admin.merge(s, event_id, others, who.actor)

    return await _change(request, event_id, change)


@router.post("/events/{event_id}/move")
async def move_items(
    request: Request, event_id: int, who: Principal = Depends(need(Permission.EVENTS_MANAGE))
) -> Response:
    def change(s: Any, form: Any) -> int:
        ids = [int(v) for v in form.getlist("item") if str(v).isdigit()]
        target = form_int(form, "target")
        return admin.move(s, ids, target, who.actor, event_id)

    return await _change(request, event_id, change)


@router.post("/events/{event_id}/override")
async def override_level(
    request: Request, event_id: int, who: Principal = Depends(need(Permission.EVENTS_GRADE))
) -> Response:
    def change(s: Any, form: Any) -> None:
        plan = versions.active(s)
        if plan is None:
            raise admin.EventError("尚未启用预案 / no plan is active")
        level = form_int(form, "level")
        admin.override(s, event_id, level, form_text(form, "reason"), who.actor, plan.plan.least)

    return await _change(request, event_id, change)
