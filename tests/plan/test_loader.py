from datetime import UTC, datetime, timedelta

import pytest

from yuqing.plan.grade import Grade, ResponseFacts, escalate, grade
from yuqing.plan.loader import PlanError, load_plan
from yuqing.plan.versions import templates

ENTERPRISE = templates()["enterprise-three-level"]


@pytest.mark.parametrize("name", sorted(templates()))
def test_every_template_loads_and_cites_its_source(name: str) -> None:
    plan = load_plan(templates()[name])
    assert plan.spec.sources and all(s[:3].isdigit() for s in plan.spec.sources)
    assert [lv.number for lv in plan.levels] == list(range(1, len(plan.levels) + 1))
    assert all(lv.deadlines for lv in plan.levels)


def test_county_template_figures() -> None:
    plan = load_plan(templates()["county-four-level"])
    assert plan.level(1).deadlines["report"].at_work.minutes == 30
    assert plan.level(2).deadlines["report"].at_work.minutes == 60
    on_post = plan.level(1).deadlines["on_post"]
    assert (on_post.at_work.minutes, on_post.off_hours.minutes) == (10, 30)
    assert plan.level(1).deadlines["joint_meeting"].at_work.minutes == 45


def test_enterprise_grading_matches_the_written_plan() -> None:
    plan = load_plan(ENTERPRISE)
    assert grade({"comments": 523, "mainstream_media": 3}, set(), plan).text(plan) == (
        "Ⅰ级（特别重大）: 评论 523 ≥ 500"
    )
    assert grade({"reads": 1500}, set(), plan).level == 2
    assert grade({"comments": 99, "mainstream_media": 0}, set(), plan).level == 3
    assert grade({"comments": 10, "items": 3}, set(), plan) == Grade(None)
    assert grade({"central_media": 1}, set(), plan).reasons == ("中央媒体 1 ≥ 1",)


def _problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as err:
        load_plan(text)
    return [str(p) for p in err.value.problems]


def test_problems_name_line_and_column() -> None:
    bad = ENTERPRISE.replace(
        "reads >= 3000 or comments >= 500", "reads >= 3000 or coments >= 500", 1
    ).replace("report: 1h", "report: 1 hr")
    problems = _problems(bad)
    line = (
        ENTERPRISE.splitlines().index(
            "      - reads >= 3000 or comments >= 500 or mainstream_media >= 5"
        )
        + 1
    )
    assert problems[0].startswith(f"{line}:26: levels.0.criteria.0: unknown metric 'coments'")
    assert any("levels.1.deadlines.report: '1 hr' is not a duration" in p for p in problems)


def test_schema_problems_and_yaml_errors() -> None:
    problems = _problems(ENTERPRISE.replace("colour: yellow", "colour: purple"))
    assert len(problems) == 1 and "levels.2.colour" in problems[0]
    assert _problems("name: x\nlevels: [\n")[0].startswith("3:1: not valid YAML")
    assert "is given twice" in _problems(ENTERPRISE + "name: again\n")[0]
    assert "a plan is a mapping" in _problems("- 1\n- 2\n")[0]
    gap = ENTERPRISE.replace("  - level: 3", "  - level: 4")
    assert any("numbered 1..3" in p for p in _problems(gap))


def test_escalation_rules() -> None:
    plan = load_plan(ENTERPRISE)
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    base = Grade(3, ("评论 60 ≥ 50",), "comments >= 50")
    assert escalate(base, ResponseFacts(missed_deadlines=1), plan, now).level == 2
    answered = now - timedelta(hours=2)
    spreading = ResponseFacts(answered, items_before=20, items_since=60)
    raised = escalate(base, spreading, plan, now)
    assert raised.level == 2 and raised.escalated and "回应后仍在扩散" in raised.reasons[-1]
    calming = ResponseFacts(answered, items_before=20, items_since=10)
    assert escalate(base, calming, plan, now) == base
    too_soon = ResponseFacts(now - timedelta(minutes=20), items_before=20, items_since=60)
    assert escalate(base, too_soon, plan, now) == base
    assert escalate(Grade(None), ResponseFacts(missed_deadlines=3), plan, now) == Grade(None)
