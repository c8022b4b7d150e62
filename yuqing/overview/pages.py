"""总览: the situation at a glance for the duty officer and the leader on a phone — items today
and their trend, sentiment, warnings in force by level, the hottest events and whether they grow,
incidents by their nearest deadline, and the sources' health. It refreshes itself (htmx)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from yuqing.access.permissions import Permission, Principal
from yuqing.collect.figures import items_in_period, volume
from yuqing.collect.health import source_health
from yuqing.events.queries import event_facts, events_in_period
from yuqing.incident import queries as incidents
from yuqing.judge.queries import sentiment_counts
from yuqing.plan.schema import LEVEL_COLOURS, ROMAN
from yuqing.replay.drills import drills
from yuqing.report.gather import level_names
from yuqing.store.base import utcnow
from yuqing.warn.queries import active_warnings
from yuqing.web.auth import need
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)


def situation(
    session: Session, who: Principal, now: datetime, tz: Any, drill: bool
) -> dict[str, Any]:
    midnight = datetime.combine(now.astimezone(tz).date(), time(0), tz)
    hourly = volume(session, midnight, now, timedelta(hours=1), drill)
    yesterday = volume(
        session, midnight - timedelta(days=1), now - timedelta(days=1), timedelta(days=1), drill
    )
    sentiment = sentiment_counts(session, items_in_period(midnight, now, drill))
    warnings = active_warnings(session, drill)
    by_level: dict[int, int] = {}
    for w in warnings:
        by_level[w.level] = by_level.get(w.level, 0) + 1
    titles = {}
    for w in warnings[:10]:
        facts = event_facts(session, w.event_id)
        titles[w.event_id] = facts.title if facts else f"事件 {w.event_id}"
    events = events_in_period(session, now - timedelta(hours=24), now, drill, limit=8)
    cards = [c for c in incidents.board(session, who, drill) if c.incident.state != "reviewing"]
    cards.sort(key=lambda c: (c.next_due is None, c.next_due.due_at if c.next_due else now))
    health = source_health(session, now) if not drill else []
    return {
        "drill": drill,
        "today": sum(c for _, c in hourly),
        "yesterday": sum(c for _, c in yesterday),
        "chart": {
            "x": [at.astimezone(tz).strftime("%H:%M") for at, _ in hourly],
            "series": [{"name": "信息量", "data": [c for _, c in hourly]}],
        },
        "sentiment": sentiment,
        "sentiment_total": sum(sentiment.values()),
        "by_level": sorted(by_level.items()),
        "warnings": warnings[:10],
        "titles": titles,
        "events": events,
        "incidents": cards[:8],
        "health": [(s, h) for s, h in health if h.state in ("failing", "silent")][:8],
        "sources": len(health),
        "levels": level_names(session),
        "level_colours": LEVEL_COLOURS,
        "roman": ROMAN,
        "now": now,
    }


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request, drill: str = "", who: Principal = Depends(need(Permission.EVENTS_READ))
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        context = situation(session, who, utcnow(), request.app.state.settings.tz, drill == "1")
    running = [d for d in drills(request.app.state.db) if not d.progress.done]
    return render(request, "dashboard.html", {**context, "running": running})
