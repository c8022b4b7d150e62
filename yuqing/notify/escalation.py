"""督办: a warning message nobody acknowledged within the plan's time is sent up the chain —
to the channels of the next role (duty office → leader → admin), once per message."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.notify.outbox import channels_for, enqueue
from yuqing.notify.tables import Channel, OutboxMessage
from yuqing.plan.durations import parse_duration
from yuqing.plan.loader import Plan

CHAIN = ("handler", "monitor", "office", "approver", "admin")


def next_roles(roles: list[str]) -> list[str]:
    """The role above the highest one a channel carries (nothing above admin)."""
    ranks = [CHAIN.index(r) for r in roles if r in CHAIN]
    top = max(ranks, default=-1)
    return [CHAIN[top + 1]] if top + 1 < len(CHAIN) else []


def escalate_unacknowledged(session: Session, plan: Plan | None, now: datetime) -> int:
    """Queue one 督办 message per overdue, unacknowledged warning message; how many."""
    wait = timedelta(
        minutes=parse_duration(plan.spec.warnings.ack_within if plan else "15m").minutes
    )
    overdue = session.execute(
        select(OutboxMessage, Channel)
        .join(Channel, Channel.id == OutboxMessage.channel_id)
        .where(
            OutboxMessage.topic == "warning",
            OutboxMessage.state == "sent",
            OutboxMessage.acked_at.is_(None),
            OutboxMessage.sent_at <= now - wait,
            OutboxMessage.sent_at > now - wait - timedelta(days=1),
        )
    ).all()
    queued = 0
    for message, channel in overdue:
        targets = channels_for(session, next_roles(list(channel.roles)), message.drill)
        targets = [c for c in targets if c.id != channel.id]
        if not targets:
            continue
        minutes = int((now - (message.sent_at or now)).total_seconds() // 60)
        enqueue(
            session,
            targets,
            f"escalate:{message.id}",
            "escalation",
            f"【督办】{message.title}",
            f"「{channel.name}」{minutes} 分钟内无人确认收到以下预警，请督促处置：\n{message.body}",
            now,
            message.drill,
        )
        queued += 1
    return queued
