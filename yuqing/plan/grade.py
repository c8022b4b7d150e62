"""Grading (定级): a pure function of an event's metrics and flags and the plan.

Levels are tried from the most severe down; the first whose criteria hold is the grade, and
the parts of the criterion that held are its reasons ("评论 523 ≥ 500"). Escalation rules of the
plan may then raise it; a person's override replaces it until lifted or until a rule fires.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from yuqing.plan.durations import parse_duration
from yuqing.plan.expr import evaluate, holds
from yuqing.plan.loader import Plan
from yuqing.plan.schema import ROMAN


@dataclass(frozen=True)
class Grade:
    level: int | None
    reasons: tuple[str, ...] = ()
    rule: str = ""  # the criterion or rule that decided, as the plan writes it
    escalated: bool = False

    def text(self, plan: Plan) -> str:
        """'Ⅱ级（重大）: 评论 523 ≥ 500' — what the console and the messages show."""
        if self.level is None:
            return "未达分级标准"
        return f"{plan.level(self.level).label}: {'; '.join(self.reasons)}"


def grade(metrics: Mapping[str, float], flags: frozenset[str] | set[str], plan: Plan) -> Grade:
    for level in plan.levels:
        for text, criterion in zip(level.spec.criteria, level.criteria, strict=True):
            if holds(criterion)(metrics, flags):
                _, reasons = evaluate(criterion, metrics, flags)
                return Grade(level.number, tuple(reasons), text)
    return Grade(None)


@dataclass(frozen=True)
class ResponseFacts:
    """What the incident workflow knows of the answer and the deadlines of an event."""

    responded_at: datetime | None = None
    items_before: int = 0  # items in the hour before the first public answer
    items_since: int = 0  # items since the answer (within the rule's window)
    missed_deadlines: int = 0


def escalate(g: Grade, facts: ResponseFacts, plan: Plan, now: datetime) -> Grade:
    """Raise a grade by the plan's escalation rules (三级→二级→一级); unchanged if none fires."""
    if g.level is None:
        return g
    level, reasons = g.level, list(g.reasons)
    for rule in plan.spec.escalation:
        if rule.when == "deadline_missed" and facts.missed_deadlines:
            why = f"超时 {facts.missed_deadlines} 项，升 {rule.raise_levels} 级"
        elif rule.when == "growth_after_response" and facts.responded_at is not None:
            window = parse_duration(rule.window).minutes
            elapsed = (now - facts.responded_at).total_seconds() / 60
            if elapsed < window:
                continue
            per_hour_after = facts.items_since * 60 / elapsed
            if per_hour_after < max(1.0, rule.growth * facts.items_before):
                continue
            why = (
                f"回应后仍在扩散: 每小时 {per_hour_after:.0f} 条 ≥ 回应前 "
                f"{facts.items_before} 条 × {rule.growth:g}，升 {rule.raise_levels} 级"
            )
        else:
            continue
        level = max(1, level - rule.raise_levels)
        reasons.append(why)
    if level == g.level:
        return g
    return replace(g, level=level, reasons=tuple(reasons), escalated=True)


def level_name(plan: Plan | None, level: int | None) -> str:
    if level is None:
        return "—"
    if plan is None or level > plan.least:
        return f"{ROMAN.get(level, level)}级"
    return plan.level(level).label
