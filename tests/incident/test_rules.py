"""The incident's pure rules: states and moves, deadlines from the plan, the review's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yuqing.incident.deadlines import at_work, plan_deadlines, remaining, warn_at
from yuqing.incident.review import DeadlineFact, ReviewFacts, effect_of_answer, review_figures
from yuqing.incident.states import MOVES, STATES, MoveContext, MoveRefused, check_move
from yuqing.plan.loader import load_plan
from yuqing.plan.versions import templates

ANYONE = MoveContext(approver=False, published=False, reviewed=False)
MON_10 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 Beijing


def test_every_state_has_moves_and_a_chinese_name() -> None:
    assert set(MOVES) == set(STATES)
    assert STATES["responding"] == "响应中" and MOVES["archived"] == ()


def test_illegal_moves_are_refused_with_the_reason() -> None:
    with pytest.raises(MoveRefused, match="「发现」不能直接转为「归档」，可转为：核实、响应中"):
        check_move("detected", "archived", ANYONE)
    with pytest.raises(MoveRefused, match="尚未发布"):
        check_move("responding", "answered", ANYONE)
    with pytest.raises(MoveRefused, match="审批人"):
        check_move("following", "subsided", ANYONE)
    check_move("following", "subsided", MoveContext(True, True, False))
    with pytest.raises(MoveRefused, match="总结评估"):
        check_move("reviewing", "archived", MoveContext(True, True, False))
    check_move("reviewing", "archived", MoveContext(False, True, True))


def test_deadlines_follow_the_plan_level_and_the_hour() -> None:
    county = load_plan(templates()["county-four-level"])
    level1 = county.level(1)
    at_ten = {d.kind: d for d in plan_deadlines(level1, MON_10)}
    on_post_day = at_ten["on_post"]
    assert on_post_day.due_at == MON_10 + timedelta(minutes=10)
    assert "（工作时间）" in on_post_day.rule and on_post_day.rule.startswith("Ⅰ级（特别重大）")
    night = MON_10 + timedelta(hours=12)  # 22:00 Beijing
    assert not at_work(night) and at_work(MON_10)
    at_night = {d.kind: d for d in plan_deadlines(level1, night)}
    assert at_night["on_post"].due_at == night + timedelta(minutes=30)


def test_working_days_skip_the_national_day_holiday() -> None:
    enterprise = load_plan(templates()["enterprise-three-level"])
    start = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    resolve = {d.kind: d for d in plan_deadlines(enterprise.level(2), start)}["resolve"]
    assert resolve.due_at == datetime(2026, 10, 13, 2, 0, tzinfo=UTC)
    assert resolve.rule.endswith("办结 5个工作日")


def test_warning_time_and_countdown_text() -> None:
    assert warn_at(MON_10, MON_10 + timedelta(hours=1)) == MON_10 + timedelta(minutes=48)
    assert warn_at(MON_10, MON_10 + timedelta(minutes=10)) == MON_10 + timedelta(minutes=5)
    assert warn_at(MON_10, MON_10 + timedelta(days=5)) == MON_10 + timedelta(days=5, hours=-4)
    assert remaining(MON_10 + timedelta(minutes=65), MON_10) == "还剩 1小时05分"
    assert remaining(MON_10, MON_10 + timedelta(minutes=12)) == "已超时 12分"


def test_review_figures_come_from_the_record() -> None:
    t = MON_10

    def m(minutes: int) -> datetime:
        return t + timedelta(minutes=minutes)

    buckets = [
        (t - timedelta(hours=2), {"items": 10, "negative_share": 0.5}),
        (t, {"items": 110, "negative_share": 0.6}),
        (t + timedelta(hours=2), {"items": 130, "negative_share": 0.55}),
    ]
    effect = effect_of_answer(buckets, t, t + timedelta(hours=5))
    assert effect is not None
    assert (effect.items_before, effect.items_after) == (100, 20) and effect.calmer
    assert effect.negative_before == 0.61 and effect.negative_after == 0.275
    figures = review_figures(
        ReviewFacts(
            first_item_at=t - timedelta(minutes=42),
            opened_at=t,
            reported_at=t + timedelta(minutes=70),
            answered_at=t + timedelta(hours=2),
            subsided_at=None,
            peak_level=2,
            peak_heat=88.0,
            deadlines=[
                DeadlineFact("报告领导", "办公室", m(60), m(70), m(60)),
                DeadlineFact("首次公开回应", "办公室", m(300), m(120), None),
                DeadlineFact("任务：核实", "宣传部", m(180), None, m(180)),
                DeadlineFact("办结", "办公室", m(7200), None, None, superseded=True),
            ],
            effect=effect,
        )
    )
    assert figures["minutes_to_detect"] == 42.0 and figures["minutes_to_report"] == 70.0
    assert figures["minutes_to_first_response"] == 120.0
    assert (figures["deadlines_met"], figures["deadlines_late"], figures["deadlines_missed"]) == (
        1,
        1,
        1,
    )
    assert [d["outcome"] for d in figures["deadlines"]] == [
        "late",
        "on_time",
        "missed",
        "superseded",
    ]
    assert figures["effect"]["calmer"] is True
