"""A report's snapshot as display values — local times, shares, sentences — shared by every
format (HTML, PDF, Word, Excel), so the same number reads the same everywhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.report.model import KIND_NAMES, IncidentRow, Report

SENTIMENT_NAMES = {"negative": "负面", "neutral": "中性", "positive": "正面"}


def local(moment: datetime | None, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(tz).strftime(fmt) if moment else "—"


def share(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def change(now: int, before: int) -> str:
    if before == 0:
        return "无可比数据" if now else "持平"
    diff = (now - before) / before * 100
    return f"{'增加' if diff >= 0 else '减少'} {abs(diff):.1f}%"


def _sentiment(counts: dict[str, int]) -> list[dict[str, Any]]:
    total = sum(counts.values())
    return [
        {"name": name, "count": counts.get(k, 0), "share": share(counts.get(k, 0), total)}
        for k, name in SENTIMENT_NAMES.items()
    ]


def _incident(i: IncidentRow, tz: ZoneInfo) -> dict[str, Any]:
    return {
        **i.model_dump(),
        "opened": local(i.opened_at, tz),
        "activated": local(i.activated_at, tz),
        "answered": local(i.answered_at, tz),
        "subsided": local(i.subsided_at, tz),
        "archived": local(i.archived_at, tz),
        "departments_text": "、".join(i.departments) or "—",
        "deadlines": [
            {**d.model_dump(), "due": local(d.due_at, tz), "met": local(d.met_at, tz)}
            for d in i.deadlines
        ],
        "next_due": i.next_due or "—",
        "result": i.result or "—",
    }


def present(report: Report) -> dict[str, Any]:
    h = report.header
    tz = ZoneInfo(h.timezone)
    view: dict[str, Any] = {
        "kind": h.kind,
        "kind_name": KIND_NAMES[h.kind],
        "title": ("【演练】" if h.drill else "") + h.title,
        "organisation": h.organisation,
        "drill": h.drill,
        "generated": local(h.generated_at, tz),
        "generated_by": h.generated_by,
        "period_text": f"{local(h.start, tz)} 至 {local(h.end, tz)}" if h.start and h.end else "",
    }
    if report.period is not None:
        p = report.period
        total = sum(p.sentiment.values())
        fmt = "%m-%d %H:%M" if p.step_hours < 24 else "%m-%d"
        view.update(
            items=p.items,
            previous_items=p.previous_items,
            change=change(p.items, p.previous_items),
            sentiment=_sentiment(p.sentiment),
            negative=p.sentiment.get("negative", 0),
            negative_share=share(p.sentiment.get("negative", 0), total),
            volume=[{"at": local(v.at, tz, fmt), "count": v.count} for v in p.volume],
            categories=[c.model_dump() for c in p.categories],
            sources=[c.model_dump() for c in p.sources],
            regions=[c.model_dump() for c in p.regions],
            events=[
                {
                    **e.model_dump(),
                    "first": local(e.first_at, tz),
                    "negative": f"{e.negative_share * 100:.0f}%"
                    if e.negative_share is not None
                    else "—",
                }
                for e in p.events
            ],
            warnings=[
                {
                    **w.model_dump(),
                    "when": local(w.at, tz),
                    "reasons_text": "；".join(w.reasons),
                    "kind_text": "预测预警" if w.predicted else "预警",
                    "status": "生效中" if w.in_force else "已解除",
                }
                for w in p.warnings
            ],
            incidents=[_incident(i, tz) for i in p.incidents],
        )
    if report.special is not None:
        s = report.special
        view.update(
            event={
                **s.event.model_dump(),
                "first": local(s.event.first_at, tz),
                "last": local(s.event.last_at, tz),
                "keywords_text": "、".join(s.event.keywords),
            },
            sentiment=_sentiment(s.sentiment),
            volume=[{"at": local(v.at, tz, "%m-%d %H:%M"), "count": v.count} for v in s.volume],
            sources=[c.model_dump() for c in s.sources],
            regions=[c.model_dump() for c in s.regions],
            representatives=[
                {**r, "when": local(datetime.fromisoformat(r["at"]), tz)} for r in s.representatives
            ],
            warnings=[
                {
                    **w.model_dump(),
                    "when": local(w.at, tz),
                    "reasons_text": "；".join(w.reasons),
                    "kind_text": "预测预警" if w.predicted else "预警",
                }
                for w in s.warnings
            ],
            incident=_incident(s.incident, tz) if s.incident else None,
        )
    if report.review is not None:
        r = report.review
        figures = r.figures or {}
        effect = figures.get("effect") or {}
        view.update(
            incident=_incident(r.incident, tz),
            figures=figures,
            effect_text=(
                f"回应前后各 {effect.get('window_hours')} 小时：信息 "
                f"{effect.get('items_before')} → {effect.get('items_after')} 条"
                if effect
                else "—"
            ),
            lessons=r.lessons or "—",
            timeline=[
                {**e, "when": local(datetime.fromisoformat(e["at"]), tz)} for e in r.timeline
            ],
            statements=[
                {
                    **s,
                    "when": local(datetime.fromisoformat(s["published_at"]), tz)
                    if s.get("published_at")
                    else "—",
                }
                for s in r.statements
            ],
            tasks=[
                {
                    **t,
                    "due": local(datetime.fromisoformat(t["due_at"]), tz) if t["due_at"] else "—",
                    "done": local(datetime.fromisoformat(t["done_at"]), tz)
                    if t["done_at"]
                    else "—",
                }
                for t in r.tasks
            ],
        )
    if report.ledger is not None:
        view.update(incidents=[_incident(i, tz) for i in report.ledger.incidents])
    if report.flash is not None:
        f = report.flash
        view.update(
            incident=_incident(f.incident, tz),
            what=f.what,
            when=local(f.when, tz),
            where="、".join(f.where) or "—",
            spread=f.spread,
            why=f.why,
            measures=f.measures,
            next_steps=f.next_steps,
            text=f.text,
        )
    return view
