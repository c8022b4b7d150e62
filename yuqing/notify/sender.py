"""The delivery worker: claims due messages, sends them, records every attempt.

A message is claimed (state `sending` with a lease) in one transaction, sent outside any
transaction, and its outcome recorded in another. A failure is retried with exponential backoff;
after MAX_ATTEMPTS the message is dead and the admins' channels are told. A claim whose process
died is taken again when its lease runs out, so nothing is lost; webhooks get the message's key in
a header so that a receiver can drop the rare second copy. Channels are held to their rate
(a DingTalk robot takes 20 messages a minute).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import apprise
from sqlalchemy import func, or_, select, update

from yuqing.notify.ack import ack_link, with_link
from yuqing.notify.channels import apprise_url, spec_of
from yuqing.notify.digest import flush_digests
from yuqing.notify.escalation import escalate_unacknowledged
from yuqing.notify.outbox import channels_for, enqueue
from yuqing.notify.secrets import unseal
from yuqing.notify.tables import Channel, Delivery, OutboxMessage
from yuqing.plan import versions
from yuqing.settings import Settings, get_settings
from yuqing.store.base import utcnow
from yuqing.store.db import Database

log = logging.getLogger("yuqing.notify")
MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=5)
LAST_RETRY = timedelta(minutes=30)


class DeliveryFailed(Exception):
    pass


Send = Callable[[str, dict[str, Any], str, str, str], None]


def apprise_send(kind: str, config: dict[str, Any], title: str, body: str, key: str) -> None:
    """Send through apprise; DeliveryFailed with what apprise logged when it did not go."""
    sender = apprise.Apprise()
    if not sender.add(apprise_url(spec_of(kind, config), key)):
        raise DeliveryFailed("the channel's settings give no usable address")
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = sender.notify(title=title, body=body)
    if not ok:
        raise DeliveryFailed(captured.getvalue().strip()[-500:] or "the channel refused")


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    held: list[int] = field(default_factory=list)  # channels at their rate limit


def _claim(db: Database, now: datetime, limit: int, report: DeliveryReport) -> list[int]:
    with db.write() as session:
        recent = dict(
            session.execute(  # type: ignore[arg-type]
                select(OutboxMessage.channel_id, func.count())
                .where(OutboxMessage.sent_at >= now - timedelta(minutes=1))
                .group_by(OutboxMessage.channel_id)
            ).all()
        )
        rates = dict(session.execute(select(Channel.id, Channel.per_minute)).all())  # type: ignore[arg-type]
        due = (
            select(OutboxMessage.id, OutboxMessage.channel_id)
            .where(
                or_(
                    (OutboxMessage.state == "pending") & (OutboxMessage.next_at <= now),
                    (OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now),
                )
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids: list[int] = []
        for message_id, channel_id in session.execute(due).all():
            if recent.get(channel_id, 0) >= rates.get(channel_id, 20):
                if channel_id not in report.held:
                    report.held.append(channel_id)
                continue
            recent[channel_id] = recent.get(channel_id, 0) + 1
            ids.append(message_id)
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(state="sending", lease_until=now + LEASE)
            )
        return ids


def default_link(message_id: int) -> str | None:
    settings = get_settings()
    if not settings.secret_key:
        return None
    return ack_link(settings.secret_key, settings.public_url, message_id)


def deliver_due(
    db: Database,
    now: datetime | None = None,
    send: Send = apprise_send,
    limit: int = 50,
    link: Callable[[int], str | None] = default_link,
    secret_key: str | None = None,
) -> DeliveryReport:
    """Send what is due; `link` makes each message's acknowledgement link, `secret_key` (the
    installation's by default) opens the channels' sealed secrets."""
    now = now or utcnow()
    key = get_settings().secret_key if secret_key is None else secret_key
    report = DeliveryReport()
    for message_id in _claim(db, now, limit, report):
        with db.read() as session:
            m = session.get(OutboxMessage, message_id)
            c = session.get(Channel, m.channel_id) if m else None
            if m is None or c is None:
                continue
            config, body = dict(c.config), with_link(m.body, link(m.id))
            job = (c.kind, config, m.title, body, f"yuqing-{m.id}")
        started = time.perf_counter()
        error = None
        try:
            send(job[0], unseal(job[1], key), *job[2:])
        except Exception as exc:  # any failure is recorded and retried, never raised
            error = str(exc)[:1000] or type(exc).__name__
        _record(db, message_id, now, time.perf_counter() - started, error, report)
    return report


def _record(
    db: Database,
    message_id: int,
    now: datetime,
    seconds: float,
    error: str | None,
    report: DeliveryReport,
) -> None:
    with db.write() as session:
        m = session.get(OutboxMessage, message_id)
        if m is None:
            return
        m.attempts += 1
        m.lease_until = None
        session.add(
            Delivery(message_id=m.id, at=now, ok=error is None, seconds=seconds, error=error)
        )
        if error is None:
            m.state, m.sent_at, m.last_error = "sent", now, None
            report.sent += 1
            return
        m.last_error = error
        if m.attempts < MAX_ATTEMPTS:
            m.state, m.next_at = "pending", now + backoff(m.attempts)
            report.failed += 1
            return
        m.state = "dead"
        report.dead += 1
        log.error("message %s is dead after %s attempts: %s", m.id, m.attempts, error)
        if m.topic != "dead_letter":
            channel = session.get(Channel, m.channel_id)
            enqueue(
                session,
                [c for c in channels_for(session, ["admin"], False) if c.id != m.channel_id],
                f"dead:{m.id}",
                "dead_letter",
                "【通知失败】消息未能送达",
                f"通道「{channel.name if channel else m.channel_id}」连续 {m.attempts} 次发送失败："
                f"{m.title}\n最后的错误：{error[:200]}",
                now,
            )


def sweep(db: Database, now: datetime | None = None) -> None:
    """Escalate what nobody acknowledged in time and gather the digests that are due."""
    now = now or utcnow()
    with db.write() as session:
        active = versions.active(session)
        escalate_unacknowledged(session, active.plan if active else None, now)
        flush_digests(session, active.plan if active else None, now)


def deliver_with(db: Database, settings: Settings, escalate: bool = True) -> DeliveryReport:
    """Send due messages with this installation's secret key and console address (after a
    sweep unless `escalate` is False)."""
    if escalate:
        sweep(db)
    return deliver_due(
        db,
        secret_key=settings.secret_key,
        link=lambda i: ack_link(settings.secret_key, settings.public_url, i),
    )
