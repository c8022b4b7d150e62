"""Messages short enough for a phone, in Chinese: level and colour, event, reason, key numbers,
what to do by when, and the link."""

from __future__ import annotations

from dataclasses import dataclass

from yuqing.notify.ack import PLACEHOLDER
from yuqing.notify.duty import OnDuty
from yuqing.plan.loader import Plan
from yuqing.plan.schema import DEADLINES

COLOUR_NAMES = {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}
ACTIONS = {
    "issued": "发布",
    "raised": "升级",
    "confirmed": "确认",
    "lowered": "降级",
    "lifted": "解除",
}
MAX_BODY = 480


@dataclass(frozen=True)
class WarningNote:
    """What a warning step says, as plain data from the warning stage."""

    event_id: int
    title: str
    action: str
    level: int | None
    predicted: bool
    reasons: tuple[str, ...]
    items: int
    drill: bool
    incident_id: int | None = None  # the incident it opened or belongs to


def warning_text(
    note: WarningNote, plan: Plan | None, base: str, duty: OnDuty | None = None
) -> tuple[str, str]:
    """(title, body) of a warning message; `base` is the console's address."""
    base = base.rstrip("/")
    link = f"{base}/events/{note.event_id}"
    head = "【演练】" if note.drill else ""
    if note.level is not None and plan is not None and note.level <= plan.least:
        level = plan.level(note.level)
        tag = f"{level.label}·{COLOUR_NAMES[level.spec.colour]}"
        due = "；".join(
            f"{DEADLINES[k]} {d.at_work}内" for k, d in list(level.deadlines.items())[:2]
        )
    else:
        tag, due = "预警", ""
    kind = "预测预警" if note.predicted else "预警"
    title = f"{head}{tag} {kind}{ACTIONS.get(note.action, note.action)}：{note.title[:40]}"
    lines = [
        title,
        "原因：" + "；".join(note.reasons[:3]),
        f"信息量 {note.items} 条",
        *([f"值班：{duty.officer}；带班领导：{duty.leader or '—'}"] if duty else []),
        *([f"时限：{due}"] if due and note.action in ("issued", "raised", "confirmed") else []),
        *([f"应急处置：{base}/incidents/{note.incident_id}"] if note.incident_id else []),
        f"详情：{link}",
        f"确认收到：{PLACEHOLDER}",
    ]
    body = "\n".join(lines)
    if len(body) > MAX_BODY:
        tail = f"…\n详情：{link}\n确认收到：{PLACEHOLDER}"
        body = body[: MAX_BODY - len(tail)] + tail
    return title, body
