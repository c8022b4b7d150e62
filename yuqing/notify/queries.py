"""Time to acknowledge (MTTA): how long warning messages waited for their 确认收到, by level
and by channel (a person's own channel names the person)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.notify.tables import Channel, OutboxMessage
from yuqing.warn.queries import levels_of_steps


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
