"""督办: a message nobody acknowledged within the plan's time goes to the next person up, once.

A person's own channel climbs the duty roster: the officer on duty when it was sent → the leader
on duty (带班领导) → the leading group (the approver role's channels). A group channel climbs
the roles: handler → monitor → office → approver → admin. A 督办 message that nobody acknowledges
climbs again, so an unanswered warning reaches the top of the chain and stops there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.notify.duty import on_duty
from yuqing.notify.outbox import channels_for, enqueue, personal_channels
from yuqing.notify.tables import Channel, OutboxMessage
from yuqing.plan.durations import parse_duration
from yuqing.plan.loader import Plan

CHAIN = ("handler", "monitor", "office", "approver", "admin")
LEADING_GROUP = "approver"
CLIMBS = ("warning", "escalation")


def next_roles(roles: list[str]) -> list[str]:
    """The role above the highest one a channel carries (nothing above admin)."""
    ranks = [CHAIN.index(r) for r in roles if r in CHAIN]
    top = max(ranks, default=-1)
    return [CHAIN[top + 1]] if top + 1 < len(CHAIN) else []


def next_up(session: Session, channel: Channel, message: OutboxMessage) -> list[Channel]:
    """Whose channels hear of it next (never the channel it went to)."""
    if channel.owner:
        shift = on_duty(session, message.sent_at or message.created_at)
        if shift and channel.owner == shift.officer and shift.leader:
            targets = personal_channels(session, [shift.leader], message.drill)
        else:
            targets = []
        targets = targets or channels_for(session, [LEADING_GROUP], message.drill)
    else:
        targets = channels_for(session, next_roles(list(channel.roles)), message.drill)
    return [c for c in targets if c.id != channel.id]


def escalate_unacknowledged(session: Session, plan: Plan | None, now: datetime) -> int:
    """Queue one 督办 per overdue, unacknowledged message; how many were queued."""
    wait = timedelta(
        minutes=parse_duration(plan.spec.warnings.ack_within if plan else "15m").minutes
    )
    overdue = session.execute(
        select(OutboxMessage, Channel)
        .join(Channel, Channel.id == OutboxMessage.channel_id)
        .where(
            OutboxMessage.topic.in_(CLIMBS),
            OutboxMessage.state == "sent",
            OutboxMessage.acked_at.is_(None),
            OutboxMessage.sent_at <= now - wait,
            OutboxMessage.sent_at > now - wait - timedelta(days=1),
        )
    ).all()
    queued = 0
    for message, channel in overdue:
        key = f"escalate:{message.id}"
        if session.execute(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)).first():
            continue
        targets = next_up(session, channel, message)
        if not targets:
            continue
        minutes = int((now - (message.sent_at or now)).total_seconds() // 60)
        who = f"{channel.owner}（{channel.name}）" if channel.owner else f"「{channel.name}」"
        title = message.title if message.topic == "escalation" else f"【督办】{message.title}"
        enqueue(
            session,
            targets,
            key,
            "escalation",
            title,
            f"{who} {minutes} 分钟内未确认收到，请督促处置：\n{message.body}",
            now,
            message.drill,
        )
        queued += 1
    return queued
