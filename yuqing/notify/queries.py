"""Time to acknowledge (MTTA): how long warning messages waited for their 确认收到, by level
and by channel (a person's own channel names the person)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.notify.tables import Channel, Delivery, OutboxMessage
from yuqing.warn.queries import event_of_step, levels_of_steps


@dataclass(frozen=True)
class AckFigure:
    label: str
    sent: int
    acked: int
    median_minutes: float | None


def _figure(label: str, waits: list[float | None]) -> AckFigure:
    done = [w for w in waits if w is not None]
    return AckFigure(
        label, len(waits), len(done), round(statistics.median(done) / 60, 1) if done else None
    )


def ack_figures(session: Session) -> tuple[list[AckFigure], list[AckFigure]]:
    """(by level, by channel) over every sent warning message, drills left out."""
    rows = session.execute(
        select(OutboxMessage.dedup_key, OutboxMessage.sent_at, OutboxMessage.acked_at, Channel)
        .join(Channel, Channel.id == OutboxMessage.channel_id)
        .where(
            OutboxMessage.topic == "warning",
            OutboxMessage.state == "sent",
            OutboxMessage.drill.is_(False),
        )
    ).all()
    steps = {r.dedup_key: int(r.dedup_key.split(":")[1]) for r in rows}
    levels = levels_of_steps(session, sorted(set(steps.values())))
    by_level: dict[str, list[float | None]] = {}
    by_channel: dict[str, list[float | None]] = {}
    for key, sent_at, acked_at, channel in rows:
        wait = (acked_at - sent_at).total_seconds() if acked_at and sent_at else None
        level = levels.get(steps[key])
        by_level.setdefault(f"{level}" if level else "—", []).append(wait)
        name = f"{channel.name} ({channel.owner})" if channel.owner else channel.name
        by_channel.setdefault(name, []).append(wait)
    return (
        [_figure(k, v) for k, v in sorted(by_level.items())],
        [_figure(k, v) for k, v in sorted(by_channel.items())],
    )


@dataclass(frozen=True)
class LogStep:
    at: datetime | None
    what: str  # queued | attempt_ok | attempt_failed | acked | unacked | escalated | dead
    detail: str = ""
    link: str | None = None


@dataclass(frozen=True)
class MessageLog:
    message: OutboxMessage
    channel: Channel
    cause: str | None  # a link to what the message was about
    steps: list[LogStep]


def message_log(session: Session, message_id: int) -> MessageLog | None:
    """Everything that happened to one message, in order: queued, each attempt, the
    acknowledgement or its absence, and the 督办 messages it caused."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return None
    channel = session.get(Channel, message.channel_id)
    assert channel is not None
    steps = [LogStep(message.created_at, "queued", message.topic)]
    for d in session.execute(
        select(Delivery).where(Delivery.message_id == message.id).order_by(Delivery.id)
    ).scalars():
        steps.append(
            LogStep(
                d.at,
                "attempt_ok" if d.ok else "attempt_failed",
                f"{d.seconds * 1000:.0f} ms" + (f" · {d.error[:300]}" if d.error else ""),
            )
        )
    if message.state == "dead":
        steps.append(LogStep(None, "dead", message.last_error or ""))
    if message.acked_at:
        steps.append(LogStep(message.acked_at, "acked", message.acked_from or ""))
    elif message.state == "sent":
        steps.append(LogStep(None, "unacked"))
    for m, c in session.execute(
        select(OutboxMessage, Channel)
        .join(Channel, Channel.id == OutboxMessage.channel_id)
        .where(OutboxMessage.dedup_key == f"escalate:{message.id}")
        .order_by(OutboxMessage.id)
    ).all():
        steps.append(LogStep(m.created_at, "escalated", c.name, f"/channels/messages/{m.id}"))
    return MessageLog(message, channel, _cause(session, message.dedup_key), steps)


def _cause(session: Session, key: str) -> str | None:
    kind, _, ref = key.partition(":")
    if kind == "escalate" and ref.isdigit():
        return f"/channels/messages/{ref}"
    if kind == "warning_step" and ref.isdigit():
        event_id = event_of_step(session, int(ref))
        return f"/events/{event_id}" if event_id else None
    return None


def messages_about(session: Session, key_prefix: str) -> list[tuple[OutboxMessage, str]]:
    """Messages whose cause starts with `key_prefix` (an incident's notices), with the channel."""
    return [
        (m, name)
        for m, name in session.execute(
            select(OutboxMessage, Channel.name)
            .join(Channel, Channel.id == OutboxMessage.channel_id)
            .where(OutboxMessage.dedup_key.startswith(key_prefix))
            .order_by(OutboxMessage.id)
        ).all()
    ]
