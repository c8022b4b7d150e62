"""Digests (摘要) for low levels: their messages are held and sent together, one message per
channel every `digest_every`, so a busy day of 一般 warnings does not drown the serious ones."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from yuqing.notify.outbox import enqueue
from yuqing.notify.tables import Channel, OutboxMessage
from yuqing.plan.durations import parse_duration
from yuqing.plan.loader import Plan

MAX_LINES = 20


def flush_digests(session: Session, plan: Plan | None, now: datetime) -> int:
    """Send (queue) the digest of each channel whose oldest held message waited a period."""
    every = timedelta(
        minutes=parse_duration(plan.spec.warnings.digest_every if plan else "1h").minutes
    )
    due = session.execute(
        select(OutboxMessage.channel_id, OutboxMessage.drill, func.min(OutboxMessage.created_at))
        .where(OutboxMessage.state == "held")
        .group_by(OutboxMessage.channel_id, OutboxMessage.drill)
    ).all()
    sent = 0
    for channel_id, drill, oldest in due:
        if now - oldest < every:
            continue
        held = list(
            session.execute(
                select(OutboxMessage)
                .where(
                    OutboxMessage.state == "held",
                    OutboxMessage.channel_id == channel_id,
                    OutboxMessage.drill.is_(drill),
                )
                .order_by(OutboxMessage.id)
            ).scalars()
        )
        lines = [f"· {m.title}" for m in held[:MAX_LINES]]
        if len(held) > MAX_LINES:
            lines.append(f"……另有 {len(held) - MAX_LINES} 条")
        channel = session.get(Channel, channel_id)
        assert channel is not None
        enqueue(
            session,
            [channel],
            f"digest:{held[0].id}-{held[-1].id}",
            "digest",
            f"{'【演练】' if drill else ''}【预警摘要】{len(held)} 条",
            "\n".join(lines),
            now,
            drill,
        )
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([m.id for m in held]))
            .values(state="digested")
        )
        sent += 1
    return sent
