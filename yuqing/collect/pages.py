"""Console pages of the collection stage: items (search, filters), one item, import, sources."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yuqing.access.permissions import Permission, Principal
from yuqing.collect import queries
from yuqing.collect.evidence import of_item
from yuqing.collect.files import FileError
from yuqing.collect.importer import import_bytes
from yuqing.collect.intake import Intake
from yuqing.collect.schema import METRICS, ItemIn, describe
from yuqing.events.queries import event_of_items
from yuqing.judge import queries as judge_queries
from yuqing.judge import taxonomy_store
from yuqing.judge.taxonomy import OTHER
from yuqing.store.base import utcnow
from yuqing.text.times import BadTime, parse_source_time
from yuqing.web.auth import need
from yuqing.web.i18n import translate
from yuqing.web.templating import language, render

router = APIRouter(include_in_schema=False)


def _day(value: str, tz: object, shift: int = 0) -> datetime | None:
    """A yyyy-mm-dd from a date input, as the start of that day (plus shift days) locally."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=shift), time(), tzinfo=tz)  # type: ignore[arg-type]


@router.get("/items")
def items(
    request: Request,
    q: str = "",
    source: str = "",
    since: str = "",
    until: str = "",
    cursor: str = "",
    collapse: str = "",
    scheme: str = "",
    sentiment: str = "",
    category: str = "",
    event: str = "",
    who: Principal = Depends(need(Permission.ITEMS_READ)),
) -> HTMLResponse:
    settings = request.app.state.settings
    tz = settings.tz
    error = None
    with request.app.state.db.read() as session:
        all_sources = queries.sources(session)
        f = queries.ItemFilter(
            q=q[:200],
            source_id=int(source) if source.isdigit() else None,
            since=_day(since, tz),
            until=_day(until, tz, shift=1),
            cursor=cursor or None,
            collapse=collapse == "on",
            scheme_id=int(scheme) if scheme.isdigit() else None,
            sentiment=sentiment if sentiment in ("negative", "neutral", "positive") else None,
            category=category or None,
            event_id=int(event) if event.isdigit() else None,
        )
        try:
            rows, next_cursor = queries.find_items(session, f, settings.page_size)
        except queries.BadCursor as exc:
            rows, next_cursor, error = [], None, str(exc)
        copies = queries.copy_counts(session, [i.id for i in rows])
        matches = judge_queries.matches_of(session, [i.id for i in rows])
        sentiments = judge_queries.sentiments_of(session, [i.id for i in rows])
        tags = judge_queries.tags_of(session, [i.id for i in rows])
        heats = {i.id: queries.heat_of(i, request.app.state.heat_weights) for i in rows}
        schemes = judge_queries.scheme_names(session)
        categories = list(taxonomy_store.current(session)[0])
    context = {
        "items": rows,
        "next_cursor": next_cursor,
        "sources": all_sources,
        "q": q,
        "source": source,
        "since": since,
        "until": until,
        "cursor": cursor,
        "error": error,
        "words": queries.highlight_words(q),
        "copies": copies,
        "matches": matches,
        "schemes": schemes,
        "scheme": scheme,
        "sentiments": sentiments,
        "sentiment": sentiment,
        "tags": tags,
        "heats": heats,
        "category": category,
        "categories": [*categories, OTHER],
        "event": event if event.isdigit() else "",
        "collapse": collapse == "on",
    }
    partial = (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-target") == "results"
    )
    return render(request, "items_results.html" if partial else "items.html", context)


@router.get("/items/{item_id}")
def item_detail(
    request: Request, item_id: int, who: Principal = Depends(need(Permission.ITEMS_READ))
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        item = queries.get_item(session, item_id)
        if item is None:
            raise HTTPException(404)
        series = queries.metric_series(session, item_id)
        feeling = judge_queries.sentiments_of(session, [item_id]).get(item_id)
        item_tags = judge_queries.tags_of(session, [item_id]).get(item_id)
        item_heat = queries.heat_of(item, request.app.state.heat_weights)
        matches = judge_queries.matches_of(session, [item_id]).get(item_id, [])
        event_id = event_of_items(session, [item_id]).get(item_id)
        preserved = of_item(session, item_id)
    tz = request.app.state.settings.tz
    lang = language(request)
    chart = {
        "x": [m.observed_at.astimezone(tz).strftime("%m-%d %H:%M") for m in series],
        "series": [
            {"name": translate(lang, f"metrics.{name}"), "data": [getattr(m, name) for m in series]}
            for name in METRICS
        ],
    }
    return render(
        request,
        "item.html",
        {
            "item": item,
            "series": series,
            "chart": chart,
            "feeling": feeling,
            "matches": matches,
            "tags": item_tags,
            "heat": item_heat,
            "event_id": event_id,
            "preserved": preserved,
            "error": request.query_params.get("error", ""),
        },
    )


@router.get("/import")
def import_form(
    request: Request, who: Principal = Depends(need(Permission.ITEMS_IMPORT))
) -> Response:
    return render(request, "import.html", {})


@router.post("/import")
async def import_upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form()] = "",
    who: Principal = Depends(need(Permission.ITEMS_IMPORT)),
) -> Response:
    data = await file.read()
    name = file.filename or "upload"

    def work() -> Response:
        try:
            report = import_bytes(
                request.app.state.db, data, name, who.actor, source=source.strip() or None
            )
        except (FileError, ValueError) as exc:
            return render(request, "import.html", {"error": str(exc)}, 400)
        return render(request, "import.html", {"report": report})

    return await run_in_threadpool(work)


@router.get("/manual")
def manual_form(
    request: Request, who: Principal = Depends(need(Permission.ITEMS_IMPORT))
) -> Response:
    return render(request, "manual.html", {"values": {}})


@router.post("/manual")
async def manual_report(
    request: Request, who: Principal = Depends(need(Permission.ITEMS_IMPORT))
) -> Response:
    """人工报送: an item a monitor saw by hand, stored under the `manual` source."""
    form = await request.form()
    values = {
        k: str(form.get(k, "")).strip() for k in ("url", "title", "text", "author", "published_at")
    }
    published: object = values["published_at"] or None
    with suppress(BadTime):  # monitors copy what the page shows, "3小时前" included
        published = parse_source_time(values["published_at"], utcnow()) if published else None
    raw = {
        "url": values["url"],
        "title": values["title"],
        "text": values["text"],
        "published_at": published,
        "author": {"name": values["author"]} if values["author"] else None,
    }

    def work() -> Response:
        try:
            item = ItemIn.model_validate(raw)
        except ValidationError as exc:
            return render(request, "manual.html", {"values": values, "error": describe(exc)}, 400)
        intake = Intake(
            request.app.state.db,
            who.actor,
            default_source="manual",
            source_kind="manual",
            label="manual report",
        )
        result = intake.store([(1, item)])
        if result.errors:
            return render(
                request, "manual.html", {"values": values, "error": result.errors[0][1]}, 400
            )
        return RedirectResponse(f"/items/{result.item_ids[0]}", status_code=303)

    return await run_in_threadpool(work)
