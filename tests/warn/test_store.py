"""Writing many warning steps at once, as a busy run of the events stage does: each step gets
its warning, history, incident, messages and audit entry, exactly as one step alone would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record, verify
from yuqing.audit.tables import AuditEntry
from yuqing.events.tables import Event
from yuqing.incident.tables import Deadline, Incident, IncidentEntry
from yuqing.notify.admin import add_channel
from yuqing.notify.tables import OutboxMessage
from yuqing.plan.versions import active, save, templates
from yuqing.store.db import Database
from yuqing.warn.lifecycle import Step
from yuqing.warn.store import record_step, record_steps
from yuqing.warn.tables import Warning_, WarningStep

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
KEY = "warn-store-test-key-" + "x" * 24


def _events(db: Database, n: int) -> list[int]:
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())
        add_channel(
            s, "值班群", "webhook", {"url": "http://127.0.0.1:9/"}, ["office"], Actor.cli(), KEY
        )
        rows = [Event(title=f"事件{i}", first_at=T0, last_at=T0, items=10 + i) for i in range(n)]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


def test_a_runs_steps_are_written_together_as_each_alone_would_be(db: Database) -> None:
    a, b, c, d = _events(db, 4)
    with db.write() as s:
        record_step(s, d, Step("issued", 3, False, ("较大",)), None, None, T0, False, Actor.cli())
    later = T0 + timedelta(minutes=5)
    steps = [
        (a, Step("issued", 2, False, ("评论 230 条",))),  # opens an incident (at Ⅱ)
        (b, Step("issued", 3, True, ("预计 30 分钟内达到Ⅲ级",), later)),  # a forecast only
        (c, Step("issued", 1, False, ("媒体转载",))),  # opens an incident (at Ⅰ)
        (d, Step("lifted", None, False, ("人工解除",))),
    ]
    with db.write() as s:
        plan = active(s)
        assert plan is not None
        written = record_steps(s, steps, plan.plan, plan.id, later, False, Actor.system())
        assert [w.event_id for w in written] == [a, b, c, d]
    with db.read() as s:
        warnings = {w.event_id: w for w in s.execute(select(Warning_)).scalars()}
        assert {e: (w.state, w.level, w.predicted) for e, w in warnings.items()} == {
            a: ("active", 2, False),
            b: ("active", 3, True),
            c: ("active", 1, False),
            d: ("lifted", 3, False),
        }
        assert warnings[b].predicted_for == later
        history = s.execute(select(WarningStep).order_by(WarningStep.id)).scalars().all()
        assert [(h.warning_id, h.action) for h in history] == [
            (warnings[d].id, "issued"),
            (warnings[a].id, "issued"),
            (warnings[b].id, "issued"),
            (warnings[c].id, "issued"),
            (warnings[d].id, "lifted"),
        ]
        incidents = {i.event_id: i for i in s.execute(select(Incident)).scalars()}
        assert {e: (i.level, i.warning_id) for e, i in incidents.items()} == {
            a: (2, warnings[a].id),
            c: (1, warnings[c].id),
        }
        assert incidents[a].title == "事件0" and incidents[a].opened_at == later
        for incident in incidents.values():
            entries = s.execute(
                select(IncidentEntry).where(IncidentEntry.incident_id == incident.id)
            ).scalars()
            assert [e.kind for e in entries] == ["open"]
            due = s.execute(select(Deadline).where(Deadline.incident_id == incident.id)).all()
            assert due, "a new incident has its level's deadlines"
        messages = s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
        assert [m.dedup_key for m in messages] == [f"warning_step:{h.id}" for h in history]
        by_key = {m.dedup_key: m for m in messages}
        assert f"/incidents/{incidents[a].id}" in by_key[f"warning_step:{history[1].id}"].body
        assert "/incidents/" not in by_key[f"warning_step:{history[2].id}"].body
        assert "信息量 12 条" in by_key[f"warning_step:{history[3].id}"].body
        actions = s.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
        assert actions.count("warning.issued") == 4 and actions.count("warning.lifted") == 1
        assert actions.count("incident.open") == 2
        assert verify(s).ok


def test_the_audit_head_is_read_again_in_each_transaction(db: Database) -> None:
    """Entries recorded in one transaction chain in memory; the next transaction of the same
    session must read the head again, since others may have written in between."""
    with Session(db.engine, expire_on_commit=False) as s:
        record(s, Actor.cli(), "a.one", "thing", 1)
        record(s, Actor.cli(), "a.two", "thing", 2)
        s.commit()
        with db.write() as other:
            record(other, Actor.cli(), "b.other", "thing", 3)
        record(s, Actor.cli(), "a.three", "thing", 4)
        s.commit()
        record(s, Actor.cli(), "a.four", "thing", 5)
        s.rollback()
        record(s, Actor.cli(), "a.five", "thing", 6)
        s.commit()
    with db.read() as s:
        rows = s.execute(select(AuditEntry.id, AuditEntry.action).order_by(AuditEntry.id)).all()
        assert [tuple(r) for r in rows] == [
            (1, "a.one"),
            (2, "a.two"),
            (3, "b.other"),
            (4, "a.three"),
            (5, "a.five"),
        ]
        assert verify(s).ok
