"""The incident's states as the plans describe a response, and which moves are allowed.

发现 → 核实 → 响应中 (the plan activated at a level) → 已回应 (a statement published) → 跟踪 →
平息 (ending the emergency: the plan's approver) → 总结评估 → 归档. A flare-up may send a quiet
incident back to 响应中; a report that proves unfounded may be closed from 核实 straight to 平息.
"""

from __future__ import annotations

from dataclasses import dataclass

STATES: dict[str, str] = {
    "detected": "发现",
    "verifying": "核实",
    "responding": "响应中",
    "answered": "已回应",
    "following": "跟踪",
    "subsided": "平息",
    "reviewing": "总结评估",
    "archived": "归档",
}
MOVES: dict[str, tuple[str, ...]] = {
    "detected": ("verifying", "responding"),
    "verifying": ("responding", "subsided"),
    "responding": ("answered", "following"),
    "answered": ("following", "responding"),
    "following": ("subsided", "responding"),
    "subsided": ("reviewing", "following"),
    "reviewing": ("archived",),
    "archived": (),
}
OPEN = ("detected", "verifying", "responding", "answered", "following")
CLOSED = ("subsided", "reviewing", "archived")


@dataclass(frozen=True)
class MoveContext:
    """What a move may depend on: who asks and what the incident has done."""

    approver: bool  # the asker may act as the plan's approver for the level
    published: bool  # a statement has been published
    reviewed: bool  # the review has figures and written lessons


class MoveRefused(ValueError):
    pass


def check_move(current: str, target: str, ctx: MoveContext) -> None:
    """Raise MoveRefused with the reason when `current → target` is not allowed."""
    if target not in STATES:
        raise MoveRefused(f"没有「{target}」这个状态 / no such state")
    if target not in MOVES[current]:
        allowed = "、".join(STATES[s] for s in MOVES[current]) or "无"
        raise MoveRefused(
            f"「{STATES[current]}」不能直接转为「{STATES[target]}」，可转为：{allowed} / "
            f"{current} cannot move to {target}"
        )
    if target == "answered" and not ctx.published:
        raise MoveRefused("尚未发布经审批的回应 / no approved statement has been published")
    if target == "subsided" and not ctx.approver:
        raise MoveRefused(
            "结束应急状态须由预案规定的审批人决定 / only the plan's approver may end it"
        )
    if target == "archived" and not ctx.reviewed:
        raise MoveRefused("归档前须完成总结评估（含经验教训）/ write the review first")
