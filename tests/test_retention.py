"""Retention forgets only raw items of quiet events after the configured time; evidence stays:
graded and warned events, incidents, items preserved as evidence or judged by a person, items
collected since the cutoff, and the story heads of items that stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from yuqing.audit.log import Actor, verify
from yuqing.audit.tables import AuditEntry
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.collect.tables import Evidence, Item
from yuqing.events.stage import EventStage
from yuqing.events.tables import Event, EventItem
from yuqing.incident.tables import Incident
from yuqing.judge.relevance import correct_sentiment
from yuqing.plan.versions import save, templates
from yuqing.retention import RetentionSweep, purge
from yuqing.store.db import Database
from yuqing.store.search import Query

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=90)
STORIES = {
    "quiet": "城东小区停水三天物业不管",
    "graded": "一中食堂饭菜发霉学生腹泻",
    "evidence": "县医院门诊排队挂号难",
    "judged": "城区道路施工扬尘严重",
    "late": "公交车改线居民出行不便",
}


def _store(db: Database, key: str, n: int, collected: datetime, comments: int = 0) -> None:
    intake = Intake(db, Actor.cli(), "weibo", "file", "t", lambda: collected)
    intake.store(
        [
            (
                i,
                ItemIn(
                    id=f"{key}{i}",
                    text=f"{STORIES[key]}，网友第{i}条",
                    published_at=T0 - timedelta(minutes=30 - i),
                    metrics={"comments": comments if i == 0 else 0},
                ),
            )
            for i in range(n)
        ]
    )


def _ids(db: Database, key: str) -> list[int]:
    with db.read() as s:
        return list(s.execute(select(Item.id).where(Item.external_id.like(f"{key}%"))).scalars())


def _indexed(db: Database, word: str) -> int:
    """Rows the search index itself returns for a word (not filtered by the item table)."""
    q = Query.parse(word)
    with db.read() as s:
        if s.get_bind().dialect.name == "sqlite":
            sql, arg = "SELECT count(*) FROM item_fts WHERE item_fts MATCH :q", q.fts5()
        else:
            sql, arg = (
                "SELECT count(*) FROM item_search WHERE terms @@ CAST(:q AS tsquery)",
                (q.tsquery()),
            )
        return s.execute(text(sql), {"q": arg}).scalar_one()


@pytest.fixture
def world(db: Database) -> Database:
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())
    _store(db, "quiet", 3, T0)
    _store(db, "graded", 3, T0, comments=230)  # level Ⅱ: a warning and an incident
    _store(db, "evidence", 2, T0)
    _store(db, "judged", 2, T0)
    _store(db, "late", 2, LATER - timedelta(days=1))  # an old post collected yesterday
    EventStage(db).run(T0 + timedelta(hours=1))
    with db.write() as s:
        s.add(
            Evidence(
                item_id=_ids(db, "evidence")[0],
                url="https://example.org/1",
                final_url="https://example.org/1",
                fetched_at=T0,
                status=200,
                html_path="evidence/1/page.html",
                html_sha256="0" * 64,
                taken_by="zhang",
            )
        )
        assert correct_sentiment(s, _ids(db, "judged")[1], "negative", Actor("zhang", "user"))
    return db


def test_only_quiet_raw_items_past_retention_are_forgotten(world: Database) -> None:
    db = world
    with db.read() as s:
        events_before = s.execute(select(func.count()).select_from(Event)).scalar_one()
        assert s.execute(select(Incident)).scalar_one()
    assert _indexed(db, "停水") == 3

    dry = purge(db, 30, now=LATER, dry_run=True)
    assert (dry.items, dry.events) == (3, 1)
    assert len(_ids(db, "quiet")) == 3  # a dry run removes nothing

    done = purge(db, 30, now=LATER)
    assert (done.items, done.events, done.kept_events) == (3, 1, 3)
    assert _ids(db, "quiet") == [] and _indexed(db, "停水") == 0
    for key, n in (("graded", 3), ("evidence", 2), ("judged", 2), ("late", 2)):
        assert len(_ids(db, key)) == n, key
        assert _indexed(db, STORIES[key][:2]) == n, key
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Event)).scalar_one() == events_before - 1
        members = s.execute(select(EventItem.item_id)).scalars().all()
        assert set(members) == set(s.execute(select(Item.id)).scalars())
        [entry] = s.execute(select(AuditEntry).where(AuditEntry.action == "purge")).scalars()
        assert "3 条原始信息" in entry.summary and "1 个" in entry.summary
        assert verify(s).ok

    assert purge(db, 30, now=LATER).items == 0  # nothing left to forget
    assert purge(db, 30, now=T0 + timedelta(days=20)).items == 0  # not yet due
    EventStage(db).run(LATER)  # the stage carries on over the gap


def test_a_story_head_stays_while_its_copies_stay(db: Database) -> None:
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())
    _store(db, "quiet", 2, T0)
    head = _ids(db, "quiet")[0]
    copy = ItemIn(id="copy", text=f"{STORIES['quiet']}，网友第0条", published_at=T0)
    Intake(db, Actor.cli(), "weibo", "file", "t", lambda: LATER).store([(0, copy)])
    EventStage(db).run(LATER)
    with db.read() as s:
        assert (
            s.execute(select(Item.story_id).where(Item.external_id == "copy")).scalar_one() == head
        )
    purge(db, 30, now=LATER)
    assert head in _ids(db, "quiet")


def test_retention_needs_a_month_and_is_off_by_default(db: Database, tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="at least 30 days"):
        purge(db, 7)
    code, out = run("purge")
    assert code != 0 and "retention is off" in out
    code, out = run("purge", "--days", "7")
    assert code != 0 and "at least 30 days" in out
    code, out = run("purge", "--days", "30", "--dry-run")
    assert code == 0 and "would forget 0 items" in out

    from tests.conftest import make_settings

    off = RetentionSweep(make_settings(tmp_path, db))
    assert off(db) is None
    on = RetentionSweep(make_settings(tmp_path, db, retention_days=365))
    assert on(db) is not None and on(db) is None  # at most once an hour
