"""The events stage against real databases: placement, grading, warnings, restarts, edits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from yuqing.access.permissions import ROLE_PERMISSIONS, Principal
from yuqing.audit.log import Actor
from yuqing.audit.tables import AuditEntry
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.collect.tables import Item
from yuqing.events import admin
from yuqing.events.stage import EventStage
from yuqing.events.tables import Event, EventBucket, EventItem, StageCursor
from yuqing.judge.admin import SchemeForm, create_scheme
from yuqing.plan.versions import save, templates
from yuqing.store.db import Database
from yuqing.warn.admin import LiftRefused, lift
from yuqing.warn.tables import Warning_, WarningStep

T0 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
POST = "某县第一中学食堂发生食物中毒，二十多名学生送医院治疗，家长质疑学校食品安全管理"


def _store(db: Database, items: list[dict], at: datetime, source: str = "weibo") -> None:
    intake = Intake(
        db, Actor.cli(), source, "drill" if source == "drill" else "file", "test", lambda: at
    )
    intake.store([(i, ItemIn.model_validate(x)) for i, x in enumerate(items, 1)])


def _replies(start: int, n: int, at: datetime) -> list[dict]:
    return [
        {
            "id": f"r{i}",
            "text": f"这是第{i}条评论",
            "reply_to": "p1",
            "published_at": at.isoformat(),
        }
        for i in range(start, start + n)
    ]


def _plan(db: Database) -> int:
    with db.write() as s:
        return save(s, templates()["enterprise-three-level"], Actor.cli()).id


def _count(db: Database, table: type) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(table)).scalar_one()


def test_items_become_an_event_that_is_graded_and_warned(db: Database) -> None:
    version = _plan(db)
    _store(db, [{"id": "p1", "text": POST, "published_at": T0.isoformat()}], T0)
    _store(db, _replies(1, 60, T0 + timedelta(minutes=20)), T0 + timedelta(minutes=20))
    report = EventStage(db).run(T0 + timedelta(minutes=21))
    assert report.items == 61 and report.placed == 61
    with db.read() as s:
        [event] = s.execute(select(Event)).scalars().all()
        assert event.items == 61 and event.level == 3 and event.plan_version_id == version
        assert "评论 60 ≥ 50" in event.reasons
        assert event.metrics["replies"] == 60 and event.title.startswith("某县第一中学食堂")
        [warning] = s.execute(select(Warning_)).scalars().all()
        assert (warning.level, warning.state, warning.predicted) == (3, "active", False)
        assert warning.measures == ["转交相关业务部门查清事实"]
        assert s.execute(select(func.count()).select_from(EventBucket)).scalar_one() == 1
        audit = s.execute(select(AuditEntry).where(AuditEntry.action == "warning.issued")).scalar()
        assert audit is not None and "Ⅲ级（一般）" in audit.summary
        cursor = s.get(StageCursor, "events")
        assert cursor is not None and cursor.item_id > 0


def test_a_restart_continues_without_doubling_and_raises_the_level(db: Database) -> None:
    _plan(db)
    _store(db, [{"id": "p1", "text": POST, "published_at": T0.isoformat()}], T0)
    _store(db, _replies(1, 60, T0 + timedelta(minutes=5)), T0 + timedelta(minutes=5))
    EventStage(db).run(T0 + timedelta(minutes=6))
    _store(db, _replies(61, 50, T0 + timedelta(minutes=30)), T0 + timedelta(minutes=30))
    later = EventStage(db)  # a new process: nothing in memory
    later.run(T0 + timedelta(minutes=31))
    assert later.run(T0 + timedelta(minutes=32)).items == 0
    assert _count(db, Event) == 1 and _count(db, EventItem) == 111
    with db.read() as s:
        event = s.execute(select(Event)).scalar_one()
        assert event.level == 2 and "评论 110 ≥ 100" in event.reasons
        actions = [
            st.action for st in s.execute(select(WarningStep).order_by(WarningStep.id)).scalars()
        ]
    assert actions[0] == "issued" and actions[-1] in ("raised", "confirmed")
    assert _count(db, Warning_) == 1


def test_a_late_reply_revives_a_quiet_event(db: Database) -> None:
    _plan(db)
    _store(db, [{"id": "p1", "text": POST, "published_at": T0.isoformat()}], T0)
    stage = EventStage(db)
    stage.run(T0 + timedelta(minutes=1))
    stage.run(T0 + timedelta(days=5))  # quiet beyond the window: forgotten in memory
    late = T0 + timedelta(days=5, hours=1)
    _store(db, _replies(1, 1, late), late)
    stage.run(late)
    assert _count(db, Event) == 1
    with db.read() as s:
        assert s.execute(select(Event.items)).scalar_one() == 2


def test_a_late_copy_revives_a_quiet_event(db: Database) -> None:
    """Also when the post had a copy in its own run, before the post was placed."""
    _plan(db)
    _store(db, [{"id": "p1", "text": POST, "published_at": T0.isoformat()}], T0)
    _store(db, [{"id": "c0", "text": POST, "published_at": T0.isoformat()}], T0)
    stage = EventStage(db)
    stage.run(T0 + timedelta(minutes=1))
    moved = T0 + timedelta(days=5)  # the stream moves on: the quiet event is forgotten
    _store(
        db,
        [
            {
                "id": "x",
                "text": "高速公路连环追尾事故造成交通拥堵",
                "published_at": moved.isoformat(),
            }
        ],
        moved,
    )
    stage.run(moved)
    assert stage._engine is not None and 1 not in stage._engine.by_item
    late = moved + timedelta(hours=1)
    _store(db, [{"id": "c1", "text": POST, "published_at": late.isoformat()}], late)
    report = stage.run(late)
    assert [p.how for p in report.placements or []] == ["copy"]
    assert _count(db, Event) == 2 and _count(db, EventItem) == 4


def test_watched_copies_of_an_unwatched_post_start_their_own_event(db: Database) -> None:
    """The post matches no scheme, so no event holds it: a copy naming the school starts one,
    whether the post came in the same run or an earlier one."""
    _plan(db)
    with db.write() as s:
        create_scheme(s, SchemeForm(name="一中", subject_terms=["第一中学"]), Actor.cli())
    post = POST.replace("第一中学", "")
    _store(db, [{"id": "p1", "text": post, "published_at": T0.isoformat()}], T0)
    copy = {"id": "c1", "text": "第一中学" + post, "published_at": T0.isoformat()}
    _store(db, [copy], T0)
    stage = EventStage(db)
    first = stage.run(T0 + timedelta(minutes=1))
    assert [p.how for p in first.placements or []] == ["new"]
    later = T0 + timedelta(minutes=2)
    _store(db, [{**copy, "id": "c2", "text": copy["text"] + "【转】"}], later)
    second = stage.run(later + timedelta(minutes=1))
    # Its story's first post is in no event: it joins the first copy's event by its words.
    assert [p.how for p in second.placements or []] == ["similar"]
    with db.read() as s:
        stories = s.execute(select(Item.external_id, Item.story_id).order_by(Item.id)).all()
    assert [e for e, story in stories if story is not None] == ["c1", "c2"]
    assert _count(db, Event) == 1


def test_a_failed_run_is_repeated_whole(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    _plan(db)
    _store(db, [{"id": "p1", "text": POST, "published_at": T0.isoformat()}], T0)
    stage = EventStage(db)
    import yuqing.events.stage as module

    real = module.save_decisions

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "save_decisions", broken)
    with pytest.raises(RuntimeError):
        stage.run(T0 + timedelta(minutes=1))
    assert _count(db, Event) == 0 and _count(db, EventItem) == 0
    monkeypatch.setattr(module, "save_decisions", real)
    stage.run(T0 + timedelta(minutes=2))
    assert _count(db, Event) == 1 and _count(db, EventItem) == 1


def test_drill_items_never_reach_real_events(db: Database) -> None:
    _plan(db)
    _store(db, [{"id": "d1", "text": POST, "published_at": T0.isoformat()}], T0, source="drill")
    assert EventStage(db).run(T0 + timedelta(minutes=1)).items == 0
    EventStage(db, drill=True).run(T0 + timedelta(minutes=1))
    with db.read() as s:
        assert s.execute(select(Event.drill)).scalars().all() == [True]


def _principal(role: str) -> Principal:
    return Principal(1, role, role, None, (role,), ROLE_PERMISSIONS[role])


def test_people_merge_split_override_and_lift(db: Database) -> None:
    _plan(db)
    _store(
        db,
        [
            {"id": "p1", "text": POST, "published_at": T0.isoformat()},
            {
                "id": "p2",
                "text": "高速公路连环追尾事故造成交通拥堵，交警正在现场处置",
                "published_at": T0.isoformat(),
            },
        ],
        T0,
    )
    _store(db, _replies(1, 55, T0 + timedelta(minutes=5)), T0 + timedelta(minutes=5))
    stage = EventStage(db)
    stage.run(T0 + timedelta(minutes=6))
    with db.read() as s:
        big, small = [e.id for e in s.execute(select(Event).order_by(Event.items.desc())).scalars()]
    with db.write() as s:
        admin.merge(s, big, [small], Actor("office"))
    stage.run(T0 + timedelta(minutes=7))
    with db.read() as s:
        assert s.get(Event, small).status == "merged"
        assert s.get(Event, big).items == 57
        replies = list(
            s.execute(select(EventItem.item_id).where(EventItem.how == "reply")).scalars()
        )
    with db.write() as s:
        new = admin.move(s, replies[:10], None, Actor("office"), big)
        with pytest.raises(admin.EventError, match="理由"):
            admin.override(s, big, 1, "", Actor("office"), 3)
        admin.override(s, big, 1, "涉及学生食品安全，提级处置", Actor("office"), 3)
    stage.run(T0 + timedelta(minutes=8))
    with db.read() as s:
        assert s.get(Event, new).items == 10 and s.get(Event, big).items == 47
        event = s.get(Event, big)
        assert event.level == 1 and event.rule_level is None  # 45 replies: below Ⅲ
        assert event.reasons == ["人工定级: 涉及学生食品安全，提级处置"]
        warning = s.execute(select(Warning_).where(Warning_.event_id == big)).scalar_one()
        assert warning.level == 1
    with db.write() as s, pytest.raises(LiftRefused, match="approver"):
        lift(s, warning.id, _principal("office"), "已核实处置完毕")
    with db.write() as s:
        lift(s, warning.id, _principal("approver"), "已核实处置完毕")
    with db.read() as s:
        assert s.get(Warning_, warning.id).state == "lifted"


def test_importing_old_posts_keeps_their_events_together(db: Database) -> None:
    """Last year's posts, imported today in two batches, still join one event."""
    old = datetime(2025, 3, 1, 8, tzinfo=UTC)
    _store(db, [{"id": "o1", "text": POST, "published_at": old.isoformat()}], old)
    stage = EventStage(db)
    stage.run()  # the wall clock: 2026
    _store(
        db,
        [
            {
                "id": "o2",
                "text": "第一中学食堂食物中毒：二十多名学生送医院，家长质疑食品安全",
                "published_at": (old + timedelta(hours=2)).isoformat(),
            }
        ],
        old + timedelta(hours=2),
    )
    stage.run()
    assert _count(db, Event) == 1


def test_events_opened_by_runs_and_by_people_never_share_an_id(db: Database) -> None:
    _plan(db)
    stage = EventStage(db)
    texts = [
        POST,
        "高速公路连环追尾事故造成交通拥堵，交警正在现场处置",
        "化工厂排放污水导致河道大面积死鱼，村民要求环保部门调查",
    ]
    for n, text in enumerate(texts):
        at = T0 + timedelta(hours=n)
        _store(db, [{"id": f"s{n}", "text": text, "published_at": at.isoformat()}], at)
        stage.run(at + timedelta(minutes=1))
        with db.write() as s:  # someone else opens an event between runs
            s.add(Event(drill=False, first_at=at, last_at=at, status="merged"))
    with db.read() as s:
        ids = s.execute(select(Event.id).order_by(Event.id)).scalars().all()
        placed = s.execute(select(EventItem.event_id)).scalars().all()
    assert len(ids) == len(set(ids)) == 6 and len(set(placed)) == 3 and set(placed) <= set(ids)
