"""Tables owned by the events stage: events, their members and their metrics timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.store.base import Base, JSONDoc, UTCDateTime, utcnow

ITEM_ID = BigInteger().with_variant(Integer, "sqlite")


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_drill_last", "drill", "last_at"),)
    id: Mapped[int] = mapped_column(ITEM_ID, primary_key=True)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | merged
    merged_into: Mapped[int | None] = mapped_column(ITEM_ID, ForeignKey("event.id"))
    title: Mapped[str] = mapped_column(Text, default="")
    title_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    keywords: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    keywords_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    representatives: Mapped[list[int]] = mapped_column(JSONDoc, default=list)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    items: Mapped[int] = mapped_column(Integer, default=0)
    heat: Mapped[float] = mapped_column(Float, default=0.0)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    flags: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    # The grade: the level in force (after override and escalation) and the rule's own level.
    level: Mapped[int | None] = mapped_column(Integer)
    rule_level: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    rule: Mapped[str] = mapped_column(Text, default="")
    plan_version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_version.id"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prediction: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    override_level: Mapped[int | None] = mapped_column(Integer)
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by: Mapped[str | None] = mapped_column(String(64))
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    missed_deadlines: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class EventItem(Base):
    """An item belongs to at most one event; `how` says why it joined."""

    __tablename__ = "event_item"
    __table_args__ = (Index("ix_event_item_event", "event_id", "item_id"),)
    item_id: Mapped[int] = mapped_column(
        ITEM_ID, ForeignKey("item.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(ITEM_ID, ForeignKey("event.id"))
    how: Mapped[str] = mapped_column(String(16))  # new | reply | copy | similar | manual
    score: Mapped[float] = mapped_column(Float, default=0.0)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    moved_by: Mapped[str | None] = mapped_column(String(64))


class EventBucket(Base):
    """The event's cumulative metrics at the end of a 5-minute bucket, and the items it added."""

    __tablename__ = "event_bucket"
    event_id: Mapped[int] = mapped_column(
        ITEM_ID, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    added: Mapped[int] = mapped_column(Integer, default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)


class StageCursor(Base):
    """How far a pipeline stage has read; `generation` changes when people edit events."""

    __tablename__ = "stage_cursor"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[int] = mapped_column(ITEM_ID, default=0)
    metric_id: Mapped[int] = mapped_column(ITEM_ID, default=0)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
