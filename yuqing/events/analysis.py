"""An event's analysis, as the event page draws it: volume and heat over time with the warnings
and the statements marked, the negative share over time, where it spread (sources, media tiers,
regions), the public accounts that carried it, its keywords by weight, and the repost tree.

Private persons are never named: the tree labels media, official and organisation accounts and
calls everyone else 网友."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from yuqing.collect.figures import key_accounts, source_counts, tier_counts
from yuqing.collect.queries import items_by_id
from yuqing.events.queries import items_in_event, timeline
from yuqing.warn.queries import steps_of_event

PUBLIC_KINDS = ("media", "official", "organisation")
MAX_TREE = 400
TIERS = {
    "central": "中央媒体",
    "provincial": "省级媒体",
    "local": "地方媒体",
    "portal": "门户网站",
    "self_media": "自媒体",
    "official": "政务账号",
}


def _label_at(starts: list[datetime], labels: list[str], moment: datetime) -> str:
    before = [label for start, label in zip(starts, labels, strict=True) if start <= moment]
    return before[-1] if before else labels[0]


def charts(
    session: Session, event_id: int, tz: ZoneInfo, moments: list[tuple[datetime, str]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(volume and heat with marks, negative share) over the event's 5-minute buckets; the
    warnings are marked, and the `moments` the caller names (an answer, an incident opening)."""
    buckets = timeline(session, event_id)
    starts = [b.start for b in buckets]
    labels = [b.start.astimezone(tz).strftime("%m-%d %H:%M") for b in buckets]
    marks: list[dict[str, str]] = []
    if labels:
        for _, step in steps_of_event(session, event_id):
            if step.action in ("issued", "raised", "confirmed"):
                marks.append(
                    {"x": _label_at(starts, labels, step.at), "name": f"预警{step.level or ''}"}
                )
        marks += [{"x": _label_at(starts, labels, at), "name": name} for at, name in moments]
    volume = {
        "x": labels,
        "series": [
            {"name": "信息量", "data": [b.metrics.get("items", 0) for b in buckets]},
            {"name": "评论", "data": [b.metrics.get("comments", 0) for b in buckets]},
            {"name": "热度", "data": [b.metrics.get("heat", 0) for b in buckets]},
        ],
        "marks": marks,
    }
    negative = {
        "x": labels,
        "series": [
            {
                "name": "负面占比（%）",
                "data": [round(b.metrics.get("negative_share", 0) * 100, 1) for b in buckets],
            },
        ],
    }
    return volume, negative


def spread(session: Session, event_id: int) -> dict[str, Any]:
    ids = items_in_event(event_id)
    sources, regions = source_counts(session, ids)
    return {
        "sources": sources,
        "regions": regions,
        "tiers": [(TIERS.get(t, t), n) for t, n in tier_counts(session, ids)],
        "accounts": key_accounts(session, ids),
    }


def keyword_cloud(keywords: list[str]) -> list[tuple[str, float]]:
    """Keywords in the order of their weight, with a font size from 2.0 down to 0.9 rem."""
    n = len(keywords)
    return [(k, round(2.0 - 1.1 * i / max(n - 1, 1), 2)) for i, k in enumerate(keywords)]


def repost_tree(session: Session, event_id: int) -> dict[str, Any] | None:
    """The cascade as nested nodes for an ECharts tree: who replied to or reposted whom."""
    member_ids = [i for (i,) in session.execute(items_in_event(event_id).limit(MAX_TREE)).all()]
    stored = sorted(items_by_id(session, member_ids), key=lambda s: s.sort_at)
    if len(stored) < 2:
        return None
    nodes: dict[str, dict[str, Any]] = {}
    for s in stored:
        public = s.author_kind in PUBLIC_KINDS or s.mainstream
        nodes[s.key] = {
            "name": (s.author or s.source_key) if public else "网友",
            "value": s.id,
            "children": [],
            "itemStyle": {"color": "#d9363e" if public else "#2f6fde"},
        }
    roots = []
    for s in stored:
        parent = nodes.get(f"{s.source_id}:{s.reply_to}") if s.reply_to else None
        if parent is not None and parent is not nodes[s.key]:
            parent["children"].append(nodes[s.key])
        else:
            roots.append(nodes[s.key])
    if len(roots) == 1:
        return roots[0]
    return {"name": "事件", "children": roots, "itemStyle": {"color": "#52606d"}}
