"""The incident workflow on a real database: opened by a level-Ⅱ warning, tasks to a department,
deadlines warned and breached by the sweeper (a missed deadline raising the level), a statement
approved and published, and a review with the true times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import add_user
from tests.notify.servers import webhook
from tests.notify.test_delivery import KEY, POST
from yuqing.access.tables import Department
from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.events.stage import EventStage
from yuqing.events.tables import Event
from yuqing.incident import closing, statements, work
from yuqing.incident.opening import Opening, change_level, open_incident
from yuqing.incident.sweeper import sweep
from yuqing.incident.tables import Deadline, Incident, IncidentEntry, RequiredAction, Task
from yuqing.incident.timeline import IncidentError, get_incident
from yuqing.notify.admin import add_channel
from yuqing.notify.sender import deliver_due
from yuqing.notify.tables import OutboxMessage
from yuqing.plan.versions import save, templates
from yuqing.store.db import Database

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 Beijing
OFFICE = Actor("office1", "user")
BOSS = Actor("boss", "user")
WANG = Actor("wang", "user")


def _start(db: Database, comments: int = 230) -> Incident:
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())
    intake = Intake(db, Actor.cli(), "weibo", "file", "t", lambda: T0 - timedelta(minutes=30))
    intake.store(
        [
            (
                1,
                ItemIn(
                    id="p1",
                    text=POST,
                    published_at=T0 - timedelta(minutes=42),
                    metrics={"comments": comments},
                ),
            )
        ]
    )
    EventStage(db).run(T0)
    with db.read() as s:
        return s.execute(select(Incident)).scalar_one()


def _deadlines(db: Database, incident_id: int) -> dict[str, Deadline]:
    with db.read() as s:
        rows = s.execute(
            select(Deadline).where(Deadline.incident_id == incident_id).order_by(Deadline.id)
        ).scalars()
        return {d.kind: d for d in rows if d.state != "superseded"}


def test_a_level2_warning_opens_an_incident_with_the_plans_deadlines(db: Database) -> None:
    incident = _start(db)
    assert (incident.level, incident.state, incident.lead_unit) == (2, "detected", "网络舆情办公室")
    assert incident.first_item_at == T0 - timedelta(minutes=42) and incident.opened_at == T0
    deadlines = _deadlines(db, incident.id)
    assert deadlines["report"].due_at == T0 + timedelta(hours=1)
    assert deadlines["first_response"].due_at == T0 + timedelta(hours=5)
    assert deadlines["resolve"].due_at == datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 5 wd
    with db.read() as s:
        actions = s.execute(select(RequiredAction.text)).scalars().all()
    assert actions == ["涉事部门调查核实", "组织新闻发布"]
    EventStage(db).run(T0 + timedelta(minutes=5))  # the same warning again: no second incident
    with db.read() as s:
        assert len(s.execute(select(Incident)).all()) == 1


def test_the_whole_response_on_the_record(db: Database) -> None:
    add_user(db, "wang", "handler", department="宣传部")
    add_user(db, "zhao", "handler", department="信访局")
    with webhook() as office, webhook() as leaders, webhook() as wang:
        with db.write() as s:
            add_channel(s, "值班群", "webhook", {"url": office.url}, ["office"], Actor.cli(), KEY)
            add_channel(
                s, "领导群", "webhook", {"url": leaders.url}, ["approver"], Actor.cli(), KEY
            )
            add_channel(s, "王五", "webhook", {"url": wang.url}, [], Actor.cli(), KEY, owner="wang")
        incident = _start(db)
        deliver_due(db, now=T0, secret_key=KEY)
        [(_, warned)] = office.received  # one message: the warning names its incident
        assert warned["title"].startswith("Ⅱ级（重大）·橙 预警发布")
        assert f"应急处置：http://127.0.0.1:8000/incidents/{incident.id}" in warned["message"]

        with db.write() as s:
            i = get_incident(s, incident.id)
            closing.move_to(s, i, "responding", OFFICE, T0 + timedelta(minutes=5), approver=False)
            propaganda = s.execute(
                select(Department).where(Department.name == "宣传部")
            ).scalar_one()
            task = work.add_task(
                s,
                i,
                "verify",
                "核实食堂情况",
                propaganda.id,
                None,
                T0 + timedelta(hours=3),
                OFFICE,
                T0 + timedelta(minutes=6),
            )
            task_id = task.id
        deliver_due(db, now=T0 + timedelta(minutes=6), secret_key=KEY)
        assert wang.received[-1][1]["title"] == "【交办】核实食堂情况"

        assert sweep(db, T0 + timedelta(minutes=40)) == (0, 0)
        assert sweep(db, T0 + timedelta(minutes=49)) == (1, 0)  # report: 12 minutes ahead
        assert sweep(db, T0 + timedelta(minutes=50)) == (0, 0)  # never twice
        assert sweep(db, T0 + timedelta(minutes=61)) == (0, 1)
        deliver_due(db, now=T0 + timedelta(minutes=61), secret_key=KEY)
        titles = [b["title"] for _, b in office.received]
        assert "【时限将至】报告领导：还剩 11分" in titles and "【督办】超时：报告领导" in titles
        assert leaders.received[-1][1]["title"] == "【督办】超时：报告领导"

        # The plan raises the level by one when a deadline is missed: Ⅱ → Ⅰ, deadlines anew.
        EventStage(db).run(T0 + timedelta(minutes=62))
        with db.read() as s:
            assert s.get(Event, incident.event_id).missed_deadlines == 1
            i = get_incident(s, incident.id)
            assert (i.level, i.peak_level) == (1, 1)
        raised = _deadlines(db, incident.id)
        assert raised["report"].level == 1 and raised["report"].state == "open"

        with db.write() as s:
            work.meet_by_hand(
                s,
                s.get(Deadline, raised["report"].id),
                "电话报告分管领导",
                OFFICE,
                T0 + timedelta(minutes=70),
            )
            i = get_incident(s, incident.id)
            st = statements.draft(
                s,
                i,
                "first",
                "关于某县第一中学学生身体不适情况的通报……",
                OFFICE,
                T0 + timedelta(minutes=80),
            )
            statements.submit(s, st, OFFICE, T0 + timedelta(minutes=81))
            with pytest.raises(IncidentError, match="审批人"):
                statements.decide(s, st, True, "", OFFICE, T0 + timedelta(minutes=82), False)
            statements.decide(s, st, True, "同意", BOSS, T0 + timedelta(minutes=90), True)
            statements.publish(
                s, st, "官方微博", "https://weibo.com/x/1", OFFICE, T0 + timedelta(minutes=100)
            )
            i = get_incident(s, incident.id)
            assert i.state == "answered" and i.answered_at == T0 + timedelta(minutes=100)
            assert s.get(Event, incident.event_id).responded_at == T0 + timedelta(minutes=100)
            with pytest.raises(IncidentError, match="本部门"):
                work.finish_task(
                    s,
                    s.get(Task, task_id),
                    "已核实",
                    Actor("zhao", "user"),
                    T0 + timedelta(hours=2),
                    allowed=False,
                )
            work.finish_task(
                s,
                s.get(Task, task_id),
                "已核实：12 名学生不适，均已出院",
                WANG,
                T0 + timedelta(hours=2),
                allowed=True,
            )
            closing.move_to(s, i, "following", OFFICE, T0 + timedelta(hours=3), approver=False)
            with pytest.raises(IncidentError, match="审批人"):
                closing.move_to(s, i, "subsided", OFFICE, T0 + timedelta(hours=20), approver=False)
            closing.move_to(s, i, "subsided", BOSS, T0 + timedelta(hours=20), approver=True)
            closing.move_to(s, i, "reviewing", OFFICE, T0 + timedelta(hours=21), approver=False)
            with pytest.raises(IncidentError, match="总结评估"):
                closing.move_to(s, i, "archived", OFFICE, T0 + timedelta(hours=21), approver=False)
            closing.write_review(
                s,
                i,
                "报告领导超时 10 分钟：夜间值班须直接电话报告。",
                OFFICE,
                T0 + timedelta(hours=22),
            )
            closing.move_to(s, i, "archived", OFFICE, T0 + timedelta(hours=22), approver=False)
            review = i.review
    assert review["minutes_to_detect"] == 42.0
    assert review["minutes_to_report"] == 70.0  # the Ⅰ report deadline was met at +70 min
    assert review["minutes_to_first_response"] == 100.0
    outcomes: dict[str, list[str]] = {}
    for d in review["deadlines"]:
        outcomes.setdefault(d["label"], []).append(d["outcome"])
    assert sorted(outcomes["报告领导"]) == ["late", "on_time"]  # Ⅱ's breached, Ⅰ's in time
    assert outcomes["首次公开回应"] == ["superseded", "on_time"]
    assert outcomes["任务：核实食堂情况"] == ["on_time"]
    assert outcomes["正式答复"] == ["superseded", "missed"]  # never published
    assert outcomes["办结"] == ["superseded", "on_time"]  # met when it subsided


def test_editing_an_approved_statement_needs_approval_again(db: Database) -> None:
    incident = _start(db)
    with db.write() as s:
        i = get_incident(s, incident.id)
        st = statements.draft(s, i, "first", "初稿：情况正在核实中，将及时公布。", OFFICE, T0)
        statements.submit(s, st, OFFICE, T0)
        with pytest.raises(IncidentError, match="退回须写明理由"):
            statements.decide(s, st, False, "", BOSS, T0, True)
        statements.decide(s, st, False, "请写明已送医人数", BOSS, T0, True)
        assert st.state == "returned"
        statements.edit(s, st, "初稿：12 名学生已送医，情况正在核实中。", OFFICE, T0)
        statements.submit(s, st, OFFICE, T0)
        statements.decide(s, st, True, "", BOSS, T0, True)
        v2 = statements.edit(s, st, "12 名学生已送医，均无生命危险，正在核实。", OFFICE, T0)
        assert (st.state, v2.state, v2.version) == ("superseded", "draft", 2)
        with pytest.raises(IncidentError, match="已批准"):
            statements.publish(s, v2, "官方微博", "", OFFICE, T0)


def test_by_hand_and_level_changes_are_explained(db: Database) -> None:
    _start(db)
    with db.write() as s:
        i = open_incident(s, Opening("家长反映校车超载", 3, "值班员发现"), OFFICE, T0)
        with pytest.raises(IncidentError, match="理由"):
            change_level(s, i, 2, "", OFFICE, T0)
        change_level(s, i, 2, "央媒转载", OFFICE, T0 + timedelta(minutes=3))
        entries = [e.text for e in i_entries(s, i.id)]
    assert entries[0] == "开启处置（Ⅲ级）：值班员发现"
    assert entries[1] == "级别 Ⅲ级 → Ⅱ级：央媒转载；时限按新级别自现在起重算"
    with db.read() as s:
        assert s.execute(select(OutboxMessage.dedup_key)).scalars().all() == []  # no channels


def i_entries(s, incident_id: int):  # type: ignore[no-untyped-def]
    return (
        s.execute(
            select(IncidentEntry)
            .where(IncidentEntry.incident_id == incident_id)
            .order_by(IncidentEntry.id)
        )
        .scalars()
        .all()
    )


def test_a_plan_may_ask_for_several_approval_steps(db: Database) -> None:
    text = templates()["enterprise-three-level"]
    old = "    approver: 网络舆情办公室主任\n"
    assert old in text
    with db.write() as s:
        save(
            s, text.replace(old, "    approver: [网络舆情办公室主任, 分管副总经理]\n"), Actor.cli()
        )
        i = open_incident(s, Opening("食堂问题", 2, "值班员发现"), OFFICE, T0)
        st = statements.draft(s, i, "first", "关于食堂问题的情况说明：正在核实。", OFFICE, T0)
        assert st.approver_role == "网络舆情办公室主任 → 分管副总经理"
        statements.submit(s, st, OFFICE, T0)
        statements.decide(s, st, True, "", BOSS, T0, True)
        assert st.state == "submitted"  # one step of two
        with pytest.raises(IncidentError, match="同一人"):
            statements.decide(s, st, True, "", BOSS, T0, True)
        statements.decide(s, st, True, "同意", Actor("vp", "user"), T0, True)
        assert st.state == "approved" and st.approved_by == "vp"
        texts = [e.text for e in i_entries(s, i.id)]
    assert "第 1/2 步（网络舆情办公室主任）批准" in texts[-2]
    assert texts[-1].startswith("第 2/2 步（分管副总经理）批准")


def test_a_new_incident_is_compared_with_similar_archived_cases(db: Database) -> None:
    from tests.report.test_reports import _handled
    from yuqing.incident.opening import open_by_hand
    from yuqing.incident.queries import similar_cases

    archived = _handled(db)
    with db.write() as s:
        event_id = s.get(Incident, archived).event_id
        again = open_by_hand(
            s, "", 3, "同一事件再起波澜", event_id, None, OFFICE, T0 + timedelta(days=2)
        )
        other = open_by_hand(s, "停车场收费争议", None, "市民来电反映", None, None, OFFICE, T0)
        assert again.id != archived and again.title  # the event's title, a new incident
        best, score = similar_cases(s, again)[0]
        assert best.id == archived and score >= 1
        assert similar_cases(s, other) == []
        with pytest.raises(IncidentError, match="标题"):
            open_by_hand(s, " ", None, "没有标题也没有事件", None, None, OFFICE, T0)
