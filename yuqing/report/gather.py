"""Building a report's snapshot from what the stages before it say, through their query
functions (plain data), never their tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from yuqing.collect.figures import items_in_period, source_counts, volume
from yuqing.collect.queries import items_by_id
from yuqing.events.queries import (
    EventFacts,
    buckets_of,
    event_facts,
    events_in_period,
    items_in_event,
)
from yuqing.incident import queries as incident_queries
from yuqing.incident.deadlines import to_local
from yuqing.incident.queries import IncidentFact
from yuqing.incident.review import outcome
from yuqing.incident.statements import KINDS as STATEMENT_KINDS
from yuqing.incident.statements import statements_of
from yuqing.incident.states import STATES
from yuqing.judge.queries import category_counts, sentiment_counts
from yuqing.notify.messages import ACTIONS
from yuqing.plan import versions
from yuqing.plan.schema import ROMAN
from yuqing.report.model import (
    Count,
    DeadlineRow,
    EventRow,
    FlashData,
    Header,
    IncidentRow,
    LedgerData,
    PeriodData,
    Point,
    Report,
    ReviewData,
    SpecialData,
    StepRow,
)
from yuqing.warn.queries import StepFact, steps_in_period


class ReportError(ValueError):
    pass


def local(moment: datetime | None) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def level_names(session: Session) -> dict[int, str]:
    active = versions.active(session)
    if active is None:
        return {n: f"{r}级" for n, r in ROMAN.items()}
    return {lv.number: lv.label for lv in active.plan.levels}


def _level(names: dict[int, str], level: int | None) -> str:
    return names.get(level, f"{level}级") if level else "未定级"


def event_row(e: EventFacts, names: dict[int, str]) -> EventRow:
    metrics = e.metrics or {}
    return EventRow(
        id=e.id,
        title=e.title,
        level=e.level,
        level_name=_level(names, e.level),
        heat=round(e.heat, 1),
        items=e.items,
        first_at=e.first_at,
        last_at=e.last_at,
        negative_share=metrics.get("negative_share"),
        comments=int(metrics.get("comments", 0)),
        keywords=list(e.keywords[:8]),
    )


OUTCOMES = {
    "on_time": "按时",
    "late": "超时完成",
    "missed": "超时未完成",
    "pending": "未到期",
    "superseded": "已按新级别重算",
}


def incident_row(f: IncidentFact, names: dict[int, str], now: datetime) -> IncidentRow:
    rows = [
        DeadlineRow(
            label=d.label,
            owner=d.owner,
            due_at=d.due_at,
            met_at=d.met_at,
            outcome=OUTCOMES[outcome(d, now)],
        )
        for d in f.deadlines
    ]
    pending = [d for d in f.deadlines if d.met_at is None and not d.superseded]
    nearest = min(pending, key=lambda d: d.due_at, default=None)
    return IncidentRow(
        id=f.id,
        title=f.title,
        level_name=_level(names, f.level),
        peak_level_name=_level(names, f.peak_level),
        state=STATES.get(f.state, f.state),
        category=f.category,
        lead_unit=f.lead_unit,
        departments=list(f.departments),
        opened_at=f.opened_at,
        activated_at=f.activated_at,
        answered_at=f.answered_at,
        subsided_at=f.subsided_at,
        archived_at=f.archived_at,
        deadlines=rows,
        met=sum(r.outcome == "按时" for r in rows),
        missed=sum(r.outcome in ("超时完成", "超时未完成") for r in rows),
        next_due=f"{nearest.label} {local(nearest.due_at)}" if nearest else None,
        result=f.lessons,
    )


def _steps(session: Session, steps: list[StepFact], names: dict[int, str]) -> list[StepRow]:
    titles: dict[int, str] = {}
    out = []
    for s in steps:
        if s.event_id not in titles:
            facts = event_facts(session, s.event_id)
            titles[s.event_id] = facts.title if facts else f"事件 {s.event_id}"
        out.append(
            StepRow(
                at=s.at,
                event_id=s.event_id,
                title=titles[s.event_id],
                action=ACTIONS.get(s.action, s.action),
                level_name=_level(names, s.level),
                predicted=s.predicted,
                reasons=list(s.reasons[:3]),
                in_force=s.in_force,
            )
        )
    return out


def _counts(pairs: list[tuple[str, int]]) -> list[Count]:
    return [Count(name=n, count=c) for n, c in pairs]


def period(
    session: Session, header: Header, start: datetime, end: datetime, now: datetime
) -> Report:
    if end <= start:
        raise ReportError("结束时间须晚于开始时间 / the period must end after it starts")
    names = level_names(session)
    drill = header.drill
    span = end - start
    step = timedelta(hours=1) if span <= timedelta(days=2) else timedelta(days=1)
    ids = items_in_period(start, end, drill)
    series = volume(session, start, end, step, drill)
    previous = volume(session, start - span, start, span, drill)
    sources, regions = source_counts(session, ids)
    data = PeriodData(
        items=sum(c for _, c in series),
        previous_items=sum(c for _, c in previous),
        volume=[Point(at=a, count=c) for a, c in series],
        step_hours=step.total_seconds() / 3600,
        sentiment=sentiment_counts(session, ids),
        categories=_counts(category_counts(session, ids)),
        sources=_counts(sources),
        regions=_counts(regions),
        events=[event_row(e, names) for e in events_in_period(session, start, end, drill)],
        warnings=_steps(session, steps_in_period(session, start, end, drill), names),
        incidents=[
            incident_row(f, names, now)
            for f in incident_queries.incidents_in_period(session, start, end, drill)
        ],
    )
    return Report(header=header, period=data)


def special(session: Session, header: Header, event_id: int, now: datetime) -> Report:
    facts = event_facts(session, event_id)
    if facts is None:
        raise ReportError(f"没有 {event_id} 号事件 / no event {event_id}")
    names = level_names(session)
    ids = items_in_event(event_id)
    sources, regions = source_counts(session, ids)
    stored = items_by_id(session, list(facts.representatives[:5]))
    reps = [
        {
            "at": s.sort_at.isoformat(),
            "source": s.source_key,
            "author": s.author or "",
            "text": s.text[:300],
        }
        for s in stored
    ]
    end = (facts.last_at or now) + timedelta(seconds=1)
    incident = incident_queries.open_or_latest(session, event_id)
    data = SpecialData(
        event=event_row(facts, names),
        volume=[
            Point(at=at, count=int(m.get("items", 0))) for at, m in buckets_of(session, event_id)
        ],
        sentiment=sentiment_counts(session, ids),
        sources=_counts(sources),
        regions=_counts(regions),
        representatives=reps,
        warnings=_steps(
            session,
            [
                s
                for s in steps_in_period(session, facts.first_at, end, facts.drill)
                if s.event_id == event_id
            ],
            names,
        ),
        incident=incident_row(incident, names, now) if incident else None,
    )
    header.drill = facts.drill
    return Report(header=header, special=data)


def review(session: Session, header: Header, incident_id: int, now: datetime) -> Report:
    fact = incident_queries.incident_fact(session, incident_id)
    if fact is None:
        raise ReportError(f"没有 {incident_id} 号处置 / no incident {incident_id}")
    names = level_names(session)
    said: list[dict[str, Any]] = [
        {
            "kind": STATEMENT_KINDS.get(s.kind, s.kind),
            "version": s.version,
            "text": s.text,
            "published_at": s.published_at.isoformat() if s.published_at else None,
            "channel": s.channel,
            "url": s.url,
            "approved_by": s.approved_by,
        }
        for s, _ in statements_of(session, incident_id)
        if s.state == "published"
    ]
    tasks = [
        {
            "title": t.title,
            "department": t.department,
            "due_at": t.due_at,
            "done_at": t.done_at,
            "result": t.result,
        }
        for t in incident_queries.task_facts(session, incident_id)
    ]
    timeline = [
        {"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor, "text": e.text}
        for e in incident_queries.entries(session, incident_id)
    ]
    header.drill = fact.drill
    data = ReviewData(
        incident=incident_row(fact, names, now),
        figures=fact.review,
        lessons=fact.lessons,
        timeline=timeline,
        statements=said,
        tasks=[
            {
                **t,
                "due_at": t["due_at"].isoformat() if t["due_at"] else None,
                "done_at": t["done_at"].isoformat() if t["done_at"] else None,
            }
            for t in tasks
        ],
    )
    return Report(header=header, review=data)


def ledger(
    session: Session, header: Header, start: datetime, end: datetime, now: datetime
) -> Report:
    names = level_names(session)
    rows = incident_queries.incidents_in_period(session, start, end, header.drill)
    return Report(
        header=header, ledger=LedgerData(incidents=[incident_row(f, names, now) for f in rows])
    )


def flash(session: Session, header: Header, incident_id: int, now: datetime) -> Report:
    """快报: what, when, where, how far it has spread, the level and why, measures, next."""
    fact = incident_queries.incident_fact(session, incident_id)
    if fact is None:
        raise ReportError(f"没有 {incident_id} 号处置 / no incident {incident_id}")
    names = level_names(session)
    header.drill = fact.drill
    row = incident_row(fact, names, now)
    event = event_facts(session, fact.event_id) if fact.event_id else None
    where: list[str] = []
    spread = "—"
    if event is not None:
        sources, regions = source_counts(session, items_in_event(event.id), limit=5)
        where = [n for n, _ in regions if n != "未标注"] + [n for n, _ in sources[:3]]
        m = event.metrics or {}
        spread = (
            f"信息 {event.items} 条，评论 {int(m.get('comments', 0))}，转发 "
            f"{int(m.get('reposts', 0))}，阅读 {int(m.get('reads', 0))}，主流媒体 "
            f"{int(m.get('mainstream_media', 0))} 家"
        )
    why = incident_queries.opening_reason(session, incident_id)
    measures = incident_queries.action_texts(session, incident_id)
    next_steps = [
        f"{d.label}：{local(d.due_at)} 前" for d in row.deadlines if d.outcome == "未到期"
    ][:4]
    text = "\n".join(
        [
            f"【舆情快报】{row.level_name}：{fact.title[:60]}",
            f"时间：首条信息 {local(fact.first_item_at)}，开启处置 {local(fact.opened_at)}",
            f"传播：{spread}",
            f"定级依据：{why}",
            f"已采取措施：{'；'.join(measures) or '正在核实'}",
            f"下一步：{'；'.join(next_steps) or '—'}",
        ]
    )
    data = FlashData(
        incident=row,
        what=fact.title,
        when=fact.first_item_at,
        where=where,
        spread=spread,
        why=why,
        measures=measures,
        next_steps=next_steps,
        text=text,
    )
    return Report(header=header, flash=data)
