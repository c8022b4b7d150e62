"""Tables owned by the notification stage: channels, the outbox and every delivery attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.store.base import Base, JSONDoc, UTCDateTime, utcnow

ID = BigInteger().with_variant(Integer, "sqlite")


class Channel(Base):
    """Where messages go: a group robot, a webhook, a mailbox list, an SMS gateway."""

    __tablename__ = "channel"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(
        String(16)
    )  # webhook | dingtalk | wecom | feishu | email | sms
    config: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    roles: Mapped[list[str]] = mapped_column(JSONDoc, default=list)  # whose messages it carries
    drill: Mapped[bool] = mapped_column(Boolean, default=False)  # carries drill messages only
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    per_minute: Mapped[int] = mapped_column(Integer, default=20)  # a DingTalk robot takes 20
    # A person's own channel (their phone, mailbox): it hears what that person hears on duty.
    owner: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Base):
    """A message stored with the change that caused it; sent by the delivery worker."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("channel_id", "dedup_key"),
        Index("ix_outbox_state_due", "state", "next_at"),
    )
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    dedup_key: Mapped[str] = mapped_column(String(200))  # what caused it, e.g. warning_step:17
    topic: Mapped[str] = mapped_column(String(32))  # warning | test | dead_letter
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One click on the message's signed link (no login): when, and from where.
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_from: Mapped[str | None] = mapped_column(String(100))


class Delivery(Base):
    """One attempt to send a message: when, how long, and what the channel said."""

    __tablename__ = "delivery"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    message_id: Mapped[int] = mapped_column(ID, ForeignKey("outbox.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    seconds: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(Text)


class DutyShift(Base):
    """值班: who is the officer on duty, and the leader on duty (带班领导), from when to when."""

    __tablename__ = "duty_shift"
    __table_args__ = (Index("ix_duty_shift_span", "starts_at", "ends_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    officer: Mapped[str] = mapped_column(String(64))
    leader: Mapped[str | None] = mapped_column(String(64))
    day_kind: Mapped[str] = mapped_column(String(16), default="workday")  # workday|holiday|makeup
    created_by: Mapped[str] = mapped_column(String(64))
