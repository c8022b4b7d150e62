"""What one incident's page shows, gathered from the incident stage and, as plain data, from
the stages before it (the event's timeline and warnings, the notices sent)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from yuqing.access.accounts import list_departments
from yuqing.access.permissions import Principal
from yuqing.events.analysis import charts
from yuqing.events.queries import buckets_of, event_facts
from yuqing.incident import queries
from yuqing.incident.deadlines import remaining
from yuqing.incident.opening import level_name, plan_of
from yuqing.incident.review import effect_of_answer
from yuqing.incident.statements import KINDS, STATE_NAMES, statements_of
from yuqing.incident.tables import Incident
from yuqing.incident.work import TASK_KINDS
from yuqing.judge.taxonomy import OTHER
from yuqing.judge.taxonomy_store import current as current_taxonomy
from yuqing.notify.messages import ACTIONS
from yuqing.notify.queries import messages_about
from yuqing.plan.schema import COLOURS
from yuqing.warn.queries import steps_of_event


def category_names(session: Session) -> list[str]:
    return [*current_taxonomy(session)[0], OTHER]


def level_options(session: Session, incident: Incident) -> dict[int, dict[str, str]]:
    plan = plan_of(session, incident)
    if plan is None:
        return {}
    return {lv.number: {"label": lv.label, "colour": COLOURS[lv.spec.colour]} for lv in plan.levels}


def _timeline(session: Session, incident: Incident, sees_all: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"at": e.at, "kind": e.kind, "actor": e.actor, "text": e.text}
        for e in queries.entries(session, incident.id)
    ]
    if not sees_all:
        return rows
    if incident.first_item_at is not None:
        link = f"/events/{incident.event_id}" if incident.event_id else None
        rows.append(
            {
                "at": incident.first_item_at,
                "kind": "item",
                "actor": "",
                "text": "事件的首条信息",
                "link": link,
            }
        )
    if incident.event_id is not None:
        for _, step in steps_of_event(session, incident.event_id):
            rows.append(
                {
                    "at": step.at,
                    "kind": "warning",
                    "actor": step.actor,
                    "text": f"{'预测' if step.predicted else ''}预警"
                    f"{ACTIONS.get(step.action, step.action)}（{level_name(step.level)}）："
                    + "；".join(step.reasons[:3]),
                }
            )
    for m, channel in messages_about(session, f"incident:{incident.id}:"):
        rows.append(
            {
                "at": m.created_at,
                "kind": "notice",
                "actor": channel,
                "text": f"{m.title}（{m.state}）",
                "link": f"/channels/messages/{m.id}",
            }
        )
    rows.sort(key=lambda r: r["at"])
    return rows


def _chart(
    session: Session, incident: Incident, tz: ZoneInfo, published: list[datetime]
) -> dict[str, Any] | None:
    """The event's volume and heat, with the warnings, the opening and each statement marked."""
    if incident.event_id is None:
        return None
    moments = [(incident.opened_at, "开启处置"), *((at, "发布回应") for at in published)]
    volume, _ = charts(session, incident.event_id, tz, moments)
    return volume if volume["x"] else None


def incident_context(
    session: Session, incident: Incident, who: Principal, now: datetime, tz: ZoneInfo
) -> dict[str, Any]:
    sees_all = queries.sees_all(who)
    deadlines = queries.deadlines(session, incident.id)
    tasks = queries.tasks(session, incident.id, who)
    said = statements_of(session, incident.id)
    if not sees_all:  # 统一口径: handlers see what was published, not drafts
        said = [(s, steps) for s, steps in said if s.state == "published"]
    published = [s.published_at for s, _ in said if s.published_at]
    facts = event_facts(session, incident.event_id) if incident.event_id else None
    effect = None
    if facts is not None and incident.answered_at is not None and sees_all:
        effect = effect_of_answer(buckets_of(session, facts.id), incident.answered_at, now)
        if effect is not None and effect.window_hours < 0.1:  # too soon to say
            effect = None
    return {
        "effect": effect,
        "i": incident,
        "sees_all": sees_all,
        "event": facts,
        "levels": level_options(session, incident),
        "deadlines": deadlines,
        "countdown": {d.id: remaining(d.due_at, now) for d in deadlines},
        "next_due": queries.next_due(deadlines, now),
        "actions": queries.actions(session, incident.id) if sees_all else [],
        "tasks": tasks,
        "answerable": {t.id for t in tasks if queries.may_answer(t, who)},
        "task_kinds": TASK_KINDS,
        "departments": list_departments(session),
        "dept_names": queries.department_names(session),
        "statements": said,
        "statement_kinds": KINDS,
        "statement_states": STATE_NAMES,
        "timeline": _timeline(session, incident, sees_all),
        "chart": _chart(session, incident, tz, published) if sees_all else None,
        "categories": category_names(session),
        "similar": queries.similar_cases(session, incident) if sees_all else [],
        "now": now,
    }
