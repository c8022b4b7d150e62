"""The events stage against the database: read what intake stored, decide, persist, advance.

Each run reads items and engagement observations after the stage's cursor, places them into
events, grades what changed with the active plan and records warning steps — all in one
transaction with the cursor, so a crash repeats a run rather than losing or doubling it.
The engine's in-memory state is rebuilt from the database when it may be stale: at start,
after a failed run, when another process advanced the cursor, or when people edited events.
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from yuqing.audit.log import Actor
from yuqing.collect.dedup import MIN_CHARS, content
from yuqing.collect.queries import (
    StoredItem,
    engagement_after,
    item_with_key,
    items_after,
    items_by_id,
)
from yuqing.events.engine import Control, Decision, EventEngine
from yuqing.events.keywords import words
from yuqing.events.model import Engagement, Observation, Placement, Snapshot
from yuqing.events.persist import save_decisions, save_placements
from yuqing.events.state import EventState
from yuqing.events.tables import Event, EventBucket, EventItem, StageCursor
from yuqing.judge.queries import Verdict, any_scheme, verdicts
from yuqing.plan import versions
from yuqing.store.base import utcnow
from yuqing.store.bulk import insert_rows
from yuqing.store.db import Database, reserve_ids
from yuqing.warn.lifecycle import Active
from yuqing.warn.queries import active_warnings

log = logging.getLogger("yuqing.events")
BATCH = 5000
LIVE_BATCH = 500  # in a running service: each run's transaction short, so intake takes turns
SWEEP = timedelta(minutes=5)  # every active event is re-evaluated this often (time moves on)


def cursor_name(drill: bool) -> str:
    return "events:drill" if drill else "events"


def observation(s: StoredItem, v: Verdict | None, now: datetime) -> Observation:
    return Observation(
        item_id=s.id,
        key=s.key,
        at=min(s.sort_at, now),
        text=s.text,
        reply_to=s.reply_key,
        story_id=(
            s.story_id if s.story_id is not None and len(content(s.text)) >= MIN_CHARS else None
        ),
        schemes=v.schemes if v else frozenset(),
        source=s.source_key,
        author=s.author,
        followers=s.followers,
        mainstream=s.mainstream or s.author_kind == "media",
        media_tier=s.media_tier,
        negative=v.negative if v else False,
        flags=v.flags if v else frozenset(),
        engagement=s.engagement,
    )


def observations(session: Session, stored: list[StoredItem], now: datetime) -> list[Observation]:
    judged = verdicts(session, [s.id for s in stored])
    return [observation(s, judged.get(s.id), now) for s in stored]


@dataclass
class RunReport:
    items: int = 0
    placed: int = 0
    engagements: int = 0
    decisions: list[Decision] | None = None
    placements: list[Placement] | None = None


@dataclass
class _Loaded:
    engine: EventEngine
    seen: tuple[int, int, int]  # item cursor, metric cursor, generation last written
    plan_version: int | None


class EventStage:
    """One per database and kind (real or drill); safe to call from several threads."""

    def __init__(self, db: Database, drill: bool = False) -> None:
        self.db = db
        self.drill = drill
        self.lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._session: Session | None = None
        self._engine: EventEngine | None = None
        self._missing: set[str | int] = set()
        self._run_starts = 1 << 62  # the first item this run reads
        self._now = utcnow()
        self._opened: list[int] = []  # events this run opened, inserted together before saving
        # Ids reserved for new events: PostgreSQL's from the sequence stay good across runs;
        # SQLite's only within the run's transaction.
        self._spare: list[int] = []

    def run(self, now: datetime | None = None, limit: int = BATCH) -> RunReport:
        now = now or utcnow()
        with self.lock:
            try:
                with self.db.write() as session:
                    self._session, self._now = session, now
                    self._opened = []
                    if self.db.dialect != "postgresql":
                        self._spare = []
                    return self._run(session, now, limit)
            except BaseException:
                self._loaded = None  # memory may hold what was rolled back
                raise
            finally:
                self._session = None
                self._run_starts = 1 << 62

    def _new_event(self) -> int:
        """An id for a new event; its row is inserted with the run's other new events (a busy
        stream opens thousands a run, and one INSERT each was a tenth of the stage's time)."""
        session = self._session
        assert session is not None
        if not self._spare:
            self._spare = reserve_ids(session, Event.__table__, 100)[::-1]
        event_id = self._spare.pop()
        self._opened.append(event_id)
        return event_id

    def _insert_opened(self, session: Session) -> None:
        if self._opened:
            at = self._now
            rows = [
                {"id": i, "drill": self.drill, "first_at": at, "last_at": at} for i in self._opened
            ]
            insert_rows(session, Event.__table__, rows)
            self._opened = []

    def _cursor(self, session: Session) -> StageCursor:
        name = cursor_name(self.drill)
        # Locked: on PostgreSQL, processes running the stage take turns.
        row = session.get(StageCursor, name, with_for_update=True)
        if row is None:
            row = StageCursor(name=name, item_id=0, metric_id=0, generation=0)
            session.add(row)
            session.flush()
        return row

    def _run(self, session: Session, now: datetime, limit: int) -> RunReport:
        cur = self._cursor(session)
        plan = versions.active(session)
        loaded = self._loaded
        if loaded is None or loaded.seen != (cur.item_id, cur.metric_id, cur.generation):
            loaded = self._load(session, now, plan)
        engine = loaded.engine
        engine.plan = plan.plan if plan else None
        engine.require_scheme = any_scheme(session)
        stored = items_after(session, cur.item_id, limit, self.drill)
        report = RunReport(items=len(stored))
        seen = observations(session, stored, now)
        self._absent_stories(session, engine, seen)
        placements = [p for o in seen if (p := engine.place(o)) is not None]
        changes = engagement_after(session, cur.metric_id, limit)
        for _, item_id, values in changes:
            engine.engage(Engagement(item_id, values))
        sweep = cur.evaluated_at is None or now - cur.evaluated_at >= SWEEP
        if plan is not None and loaded.plan_version != plan.id:
            sweep = True  # a new plan version re-grades everything
        decisions = engine.evaluate(now, everything=sweep)
        if sweep:
            cur.evaluated_at = now
        self._insert_opened(session)
        save_placements(session, placements, now)
        save_decisions(session, engine, decisions, plan, now, self.drill, Actor.system())
        engine.evict(now)
        if stored:
            cur.item_id = stored[-1].id
        if changes:
            cur.metric_id = changes[-1][0]
        loaded.seen = (cur.item_id, cur.metric_id, cur.generation)
        loaded.plan_version = plan.id if plan else None
        self._loaded = loaded
        report.placed, report.engagements = len(placements), len(changes)
        report.decisions, report.placements = decisions, placements
        return report

    def _load(self, session: Session, now: datetime, plan: versions.Versioned | None) -> _Loaded:
        """Rebuild the engine from the events active within the window."""
        engine = EventEngine(plan.plan if plan else None, self._new_event, revive=self._revive)
        cur = self._cursor(session)
        events = (
            session.execute(
                select(Event).where(
                    Event.drill.is_(self.drill),
                    Event.status == "open",
                    Event.last_at >= now - engine.window,
                )
            )
            .scalars()
            .all()
        )
        self._missing: set[str | int] = set()
        self._restore(session, engine, list(events), now)
        engine.touched = set(engine.events)  # re-grade after people changed events
        self._engine = engine
        version = plan.id if plan else None
        return _Loaded(engine, (cur.item_id, cur.metric_id, cur.generation), version)

    def _restore(
        self, session: Session, engine: EventEngine, events: list[Event], now: datetime
    ) -> None:
        """Put stored events back into the engine: members, controls, timeline."""
        by_event = {e.id: e for e in events}
        ids = sorted(by_event)
        event_of = _members(session, EventItem.event_id, ids)
        for obs in observations(session, items_by_id(session, sorted(event_of)), now):
            event_id = event_of[obs.item_id]
            if event_id not in engine.events:
                e = by_event[event_id]
                engine.events[event_id] = EventState(event_id, e.first_at, e.last_at)
            terms = words(obs.text)
            engine.df.add(set(terms))
            is_reply = obs.reply_to is not None and engine.by_key.get(obs.reply_to) == event_id
            engine.join(event_id, obs, is_reply, terms)
        for e in events:
            engine.controls[e.id] = Control(
                e.override_level, e.override_reason or "", e.responded_at, e.missed_deadlines
            )
        for start in range(0, len(ids), 500):
            for event_id, begin, added, metrics in session.execute(
                select(
                    EventBucket.event_id, EventBucket.start, EventBucket.added, EventBucket.metrics
                )
                .where(EventBucket.event_id.in_(ids[start : start + 500]))
                .order_by(EventBucket.event_id, EventBucket.start)
            ):
                state = engine.events.get(event_id)
                if state is not None:
                    state.snapshots.append(Snapshot(begin, added, dict(metrics)))
        for w in active_warnings(session, self.drill, ids if len(ids) < 500 else None):
            if w.event_id in by_event:
                engine.warnings[w.event_id] = Active(w.level, w.predicted, w.predicted_for)

    def _absent_stories(
        self, session: Session, engine: EventEngine, seen: list[Observation]
    ) -> None:
        """Note the stories the run's copies name that no open event holds, in one query: each
        copy of an unwatched post asked the database on its own (3,082 queries in the first
        100,000 COVID posts, all finding nothing). Stories begun in this run are left out: their
        first items may be placed before their copies are."""
        if not seen:
            return
        run_starts = self._run_starts = seen[0].item_id
        wanted = sorted(
            {
                o.story_id
                for o in seen
                if o.story_id is not None
                and o.story_id < run_starts
                and o.story_id not in engine.by_item
                and o.story_id not in self._missing
            }
        )
        # By keys only, the kind and state checked here: asked with them, SQLite's planner walked
        # every event of the kind (0.29 s a run against 1.5 ms at 7,000 events).
        event_of = _members(session, EventItem.item_id, wanted)
        events = sorted(set(event_of.values()))
        open_: set[int] = set()
        for start in range(0, len(events), 500):
            open_.update(
                event_id
                for event_id, drill, status in session.execute(
                    select(Event.id, Event.drill, Event.status).where(
                        Event.id.in_(events[start : start + 500])
                    )
                )
                if drill == self.drill and status == "open"
            )
        self._forget_some()
        self._missing.update(i for i in wanted if event_of.get(i) not in open_)

    def _forget_some(self) -> None:
        if len(self._missing) > 100_000:
            self._missing.clear()

    def _revive(self, key: str | None, story_id: int | None) -> int | None:
        """Load the stored event holding an item (by key or id) back into the engine."""
        session, engine = self._session, self._engine
        wanted: str | int | None = key if key is not None else story_id
        if session is None or engine is None or wanted is None or wanted in self._missing:
            return None
        if story_id is not None and story_id >= self._run_starts:
            self._missing.add(story_id)  # begun in this run and not placed: no event holds it
            return None
        item_id = story_id if story_id is not None else item_with_key(session, key or "")
        row = None
        if item_id is not None:
            row = session.execute(
                select(Event)
                .join(EventItem, EventItem.event_id == Event.id)
                .where(EventItem.item_id == item_id, Event.drill.is_(self.drill))
            ).scalar_one_or_none()
        if row is None or row.status != "open" or row.id in engine.events:
            self._forget_some()
            self._missing.add(wanted)
            return None
        self._restore(session, engine, [row], self._now)
        return row.id


def _members(
    session: Session, column: InstrumentedAttribute[int], values: list[int]
) -> dict[int, int]:
    """Item id → event id of the memberships whose `column` is one of `values`."""
    out: dict[int, int] = {}
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        rows = session.execute(
            select(EventItem.item_id, EventItem.event_id).where(column.in_(chunk))
        )
        out.update((item_id, event_id) for item_id, event_id in rows)
    return out


def touch(session: Session, drill: bool, note: str) -> None:
    """Tell running stages that people changed events (they reload before the next run)."""
    name = cursor_name(drill)
    if session.get(StageCursor, name) is None:
        session.add(StageCursor(name=name, item_id=0, metric_id=0, generation=1, note=note))
        return
    session.execute(
        update(StageCursor)
        .where(StageCursor.name == name)
        .values(generation=StageCursor.generation + 1, note=note)
    )


_stages: weakref.WeakKeyDictionary[Database, dict[bool, EventStage]] = weakref.WeakKeyDictionary()
_stages_lock = threading.Lock()


def stage_for(db: Database, drill: bool = False) -> EventStage:
    with _stages_lock:
        per_db = _stages.setdefault(db, {})
        if drill not in per_db:
            per_db[drill] = EventStage(db, drill)
        return per_db[drill]


def run_until_idle(
    db: Database, now: datetime | None = None, drill: bool = False, batch: int = BATCH
) -> int:
    """Run the stage until it has read everything stored; the number of items read."""
    total = 0
    stage = stage_for(db, drill)
    while True:
        report = stage.run(now, batch)
        total += report.items
        if report.items < batch:
            return total
