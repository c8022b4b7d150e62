import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.collect.server import Reply, Site
from tests.collect.test_connectors import RSS
from yuqing.audit.log import Actor
from yuqing.collect import runner, sources
from yuqing.collect.fetch import Fetcher
from yuqing.collect.health import judge, source_health
from yuqing.collect.intake import Intake
from yuqing.collect.runner import Collector, collect_once, run_source
from yuqing.collect.schema import ItemIn
from yuqing.collect.tables import Item, Source, SourceRun
from yuqing.store.base import utcnow
from yuqing.store.db import Database


def add(db: Database, key: str, url: str, **kw: object) -> int:
    form = sources.SourceForm(
        key=key, name=key, kind="rss", config={"url": url}, allow_private=True, **kw
    )  # type: ignore[arg-type]
    with db.write() as s:
        return sources.create_source(s, form, Actor("admin")).id


def count(db: Database, model: type) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_run_stores_items_then_advances_state(db: Database, site: Site, fetcher: Fetcher) -> None:
    def feed(handler):  # type: ignore[no-untyped-def]
        if handler.headers.get("If-None-Match") == '"e1"':
            return Reply(304)
        return Reply(200, RSS.format(enc="utf-8").encode(), {"ETag": '"e1"'})

    site.routes["/feed"] = feed
    sid = add(db, "county-news", site.base + "/feed")
    assert runner.claim_due(db, utcnow()) == [sid]
    first = run_source(db, sid, fetcher)
    assert (first.status, first.found, first.result.created) == ("ok", 3, 3)
    assert runner.claim_due(db, utcnow()) == []
    with db.read() as s:
        src = s.get(Source, sid)
        assert src.etag == '"e1"' and src.failures == 0 and src.last_new_item_at
        assert src.next_due_at > utcnow() + timedelta(seconds=590)
        item = s.execute(select(Item).where(Item.external_id == "news-1")).scalar_one()
        assert item.source_id == sid and item.published_at == datetime(
            2026, 11, 3, 2, 21, tzinfo=UTC
        )
    second = run_source(db, sid, fetcher)
    assert second.status == "not_modified" and count(db, Item) == 3
    assert count(db, SourceRun) == 2


def test_failures_back_off_and_show_in_health(db: Database, site: Site, fetcher: Fetcher) -> None:
    site.routes["/down"] = Reply(500, b"oops")
    sid = add(db, "flaky", site.base + "/down", interval_seconds=60, jitter_seconds=0)
    run_source(db, sid, fetcher)
    run_source(db, sid, fetcher)
    with db.read() as s:
        src = s.get(Source, sid)
        assert src.failures == 2 and "HTTP 500" in src.last_error
        assert src.next_due_at - src.last_attempt_at == timedelta(minutes=4)  # 60 s × 2²
        ((_, health),) = source_health(s, utcnow())
    assert health.state == "failing" and "HTTP 500" in health.reason
    site.routes["/down"] = Reply(200, RSS.format(enc="utf-8").encode())
    run_source(db, sid, fetcher)
    with db.read() as s:
        assert s.get(Source, sid).failures == 0


def test_a_crash_before_the_state_advances_stores_nothing_twice(
    db: Database, site: Site, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.routes["/feed"] = Reply(200, RSS.format(enc="utf-8").encode(), {"ETag": '"x"'})
    sid = add(db, "crashy", site.base + "/feed")

    def crash(*args: object) -> None:
        raise RuntimeError("killed after storing, before advancing")

    monkeypatch.setattr(runner, "_finish", crash)
    with pytest.raises(RuntimeError):
        run_source(db, sid, fetcher)
    assert count(db, Item) == 3
    with db.read() as s:
        assert s.get(Source, sid).etag is None  # the state did not advance
    monkeypatch.undo()
    again = run_source(db, sid, fetcher)
    assert again.result.created == 0 and again.result.unchanged == 3 and count(db, Item) == 3


def test_test_mode_stores_nothing(db: Database, site: Site, fetcher: Fetcher) -> None:
    site.routes["/feed"] = Reply(200, RSS.format(enc="utf-8").encode())
    sid = add(db, "t", site.base + "/feed")
    result = run_source(db, sid, fetcher, store=False)
    assert result.found == 3 and count(db, Item) == 0 and count(db, SourceRun) == 0


def test_collect_once_runs_only_due_enabled_pull_sources(
    db: Database, site: Site, fetcher: Fetcher
) -> None:
    site.routes["/feed"] = Reply(200, RSS.format(enc="utf-8").encode())
    a = add(db, "a", site.base + "/feed")
    b = add(db, "b", site.base + "/feed", enabled=False)
    with db.write() as s:
        sources.source_id(s, "pushed", "push", Actor("x"))
    results = collect_once(db, fetcher)
    assert [r.source_id for r in results] == [a]
    assert collect_once(db, fetcher) == []
    assert b not in runner.claim_due(db, utcnow())


def test_a_round_claims_only_what_the_process_runs_at_once(
    db: Database, site: Site, fetcher: Fetcher
) -> None:
    site.routes["/feed"] = Reply(200, RSS.format(enc="utf-8").encode())
    ids = [add(db, f"s{n}", site.base + "/feed") for n in range(5)]
    first = runner.collect_round(db, fetcher, workers=2)
    assert sorted(r.source_id for r in first) == ids[:2]
    assert runner.claim_due(db, utcnow(), limit=1) == [ids[2]]  # another worker's share
    rest = collect_once(db, fetcher, workers=2)
    assert sorted(r.source_id for r in rest) == ids[3:]


def test_silence_is_judged_against_the_usual_yield() -> None:
    now = datetime(2026, 11, 10, tzinfo=UTC)
    src = Source(
        key="k",
        name="k",
        kind="rss",
        enabled=True,
        failures=0,
        silent_hours=12,
        last_attempt_at=now,
        created_at=now - timedelta(days=30),
        last_new_item_at=now - timedelta(hours=13),
    )
    assert judge(src, 0, 70, now).state == "silent"
    assert "13" in judge(src, 0, 70, now).reason
    assert judge(src, 0, 3, now).state == "ok"  # a source that rarely yields is not silent
    src.last_new_item_at = now - timedelta(hours=2)
    assert judge(src, 5, 70, now).state == "ok"
    src.enabled = False
    assert judge(src, 0, 70, now).state == "disabled"


def test_two_collectors_never_run_the_same_due_source(db: Database) -> None:
    sid = add(db, "shared", "http://feeds.example/x")
    now = utcnow()
    assert runner.claim_due(db, now) == [sid]
    assert runner.claim_due(db, now) == []  # the other process finds it taken
    assert runner.claim_due(db, now + runner.LEASE + timedelta(seconds=1)) == [sid]


def test_a_source_being_claimed_elsewhere_is_skipped_not_waited_for(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    a = add(db, "first", "http://feeds.example/a")
    b = add(db, "second", "http://feeds.example/b")
    with db.write() as other:  # another worker, mid-claim of the first source
        other.execute(select(Source).where(Source.id == a).with_for_update())
        assert runner.claim_due(db, utcnow()) == [b]
    assert runner.claim_due(db, utcnow()) == [a]


def test_api_keys_in_headers_are_not_written_to_the_audit_log(db: Database) -> None:
    from yuqing.audit.tables import AuditEntry

    form = sources.SourceForm(
        key="v",
        name="v",
        kind="api",
        config={
            "url": "http://vendor.example/api",
            "items": "data",
            "fields": {"text": "t"},
            "headers": {"Authorization": "Bearer sk-secret"},
        },
    )
    with db.write() as s:
        sources.create_source(s, form, Actor("admin"))
    with db.read() as s:
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "source.create")
        ).scalar_one()
    assert "sk-secret" not in str(entry.after)
    assert entry.after["config"]["headers"] == {"Authorization": "***"}


def test_stored_items_wake_the_later_stages_long_before_the_tick(db: Database) -> None:
    ran = threading.Event()
    collector = Collector(db, tick=600, after=[ran.set])
    collector.start()
    try:
        assert ran.wait(10)  # the first round runs at once
        ran.clear()
        Intake(db, Actor.cli(), "微博", "push", "test").store([(1, ItemIn(id="a", text="食堂"))])
        assert ran.wait(10), "the events stage waited for the ten-minute tick"
    finally:
        collector.stop()
    assert not collector.thread.is_alive()
