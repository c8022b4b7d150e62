"""The transactional outbox: messages are stored in the transaction of the change that caused
them, one per channel, keyed by that change, so a change is never announced twice nor lost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.notify.ack import PLACEHOLDER
from yuqing.notify.duty import on_duty
from yuqing.notify.messages import WarningNote, warning_text
from yuqing.notify.tables import Channel, OutboxMessage
from yuqing.plan.loader import Plan
from yuqing.settings import get_settings
from yuqing.store.db import dialect_insert

QUEUED = "yuqing.outbox.queued"


def channels_for(session: Session, roles: list[str], drill: bool) -> list[Channel]:
    """Enabled channels carrying any of these roles' messages; drills only reach drill channels
    and real work never reaches them."""
    rows = session.execute(
        select(Channel).where(
            Channel.enabled.is_(True), Channel.drill.is_(drill), Channel.owner.is_(None)
        )
    ).scalars()
    wanted = set(roles)
    return [c for c in rows if wanted & set(c.roles or [])]


def enqueue(
    session: Session,
    channels: list[Channel],
    dedup_key: str,
    topic: str,
    title: str,
    body: str,
    now: datetime,
    drill: bool = False,
    state: str = "pending",
) -> None:
    """Store one message per channel (a second call with the same key stores nothing);
    `state` "held" keeps it for the next digest instead of sending it."""
    _insert(session, _rows(channels, dedup_key, topic, title, body, now, drill, state))


def _rows(
    channels: list[Channel],
    dedup_key: str,
    topic: str,
    title: str,
    body: str,
    now: datetime,
    drill: bool,
    state: str,
) -> list[dict[str, object]]:
    return [
        {
            "channel_id": c.id,
            "dedup_key": dedup_key,
            "topic": topic,
            "title": title,
            "body": body,
            "drill": drill,
            "state": state,
            "attempts": 0,
            "next_at": now,
            "created_at": now,
        }
        for c in channels
    ]


def _insert(session: Session, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    stmt = dialect_insert(session, OutboxMessage)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["channel_id", "dedup_key"]), rows)
    session.info[QUEUED] = True  # wakes the notifier once committed


def personal_channels(session: Session, people: list[str], drill: bool) -> list[Channel]:
    if not people:
        return []
    return list(
        session.execute(
            select(Channel).where(
                Channel.enabled.is_(True), Channel.drill.is_(drill), Channel.owner.in_(people)
            )
        ).scalars()
    )


def enqueue_warnings(
    session: Session, notes: list[tuple[int, WarningNote]], plan: Plan | None, now: datetime
) -> None:
    """Tell the roles the plan names for each step's level (the office when there is no plan),
    and the people on duty on their own channels: the officer always, the leader on duty when
    the level is for leaders (approver or admin). `notes` pairs each step's id with what it says;
    they share one moment, so one duty roster and one lookup per set of roles."""
    if not notes:
        return
    duty = on_duty(session, now)
    base = get_settings().public_url
    found: dict[tuple[tuple[str, ...], tuple[str, ...], bool], list[Channel]] = {}
    rows: list[dict[str, object]] = []
    for step_id, note in notes:
        roles = ["office"]
        if plan is not None and note.level is not None and note.level <= plan.least:
            roles = list(plan.level(note.level).spec.notify) or roles
        people = []
        if duty is not None:
            people.append(duty.officer)
            if duty.leader and {"approver", "admin"} & set(roles):
                people.append(duty.leader)
        key = (tuple(roles), tuple(people), note.drill)
        if key not in found:
            targets = {c.id: c for c in channels_for(session, roles, note.drill)}
            targets.update((c.id, c) for c in personal_channels(session, people, note.drill))
            found[key] = list(targets.values())
        title, body = warning_text(note, plan, base, duty)
        state = "held" if digested(plan, note.level) else "pending"
        dedup = f"warning_step:{step_id}"
        rows += _rows(found[key], dedup, "warning", title, body, now, note.drill, state)
    _insert(session, rows)


def digested(plan: Plan | None, level: int | None) -> bool:
    """Whether this level's messages wait for the plan's digest instead of going at once."""
    start = plan.spec.warnings.digest_from if plan else None
    return start is not None and level is not None and level >= start


def enqueue_notice(
    session: Session,
    roles: list[str],
    people: list[str],
    dedup_key: str,
    title: str,
    lines: list[str],
    link: str,
    now: datetime,
    drill: bool = False,
) -> None:
    """A notice of the incident workflow (task given, deadline near or missed, statement to
    approve) to the roles' channels and the named people's own channels, with its links."""
    targets = {c.id: c for c in channels_for(session, roles, drill)}
    targets.update((c.id, c) for c in personal_channels(session, people, drill))
    url = f"{get_settings().public_url.rstrip('/')}{link}"
    head = "【演练】" if drill else ""
    body = "\n".join([head + title, *lines, f"详情：{url}", f"确认收到：{PLACEHOLDER}"])
    enqueue(session, list(targets.values()), dedup_key, "incident", head + title, body, now, drill)
