"""Tables owned by the collection stage: sources, items and their engagement time series."""

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
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yuqing.store.base import Base, JSONDoc, UTCDateTime, utcnow


class Source(Base):
    __tablename__ = "source"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # file | push | manual | rss | web | api
    url: Mapped[str | None] = mapped_column(String(2048))
    media_tier: Mapped[str | None] = mapped_column(String(16))
    mainstream: Mapped[bool] = mapped_column(Boolean, default=False)
    region: Mapped[str | None] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Schedule and safety (pull sources: rss, web, api).
    interval_seconds: Mapped[int] = mapped_column(Integer, default=600, server_default="600")
    jitter_seconds: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    respect_robots: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    silent_hours: Mapped[int | None] = mapped_column(Integer)
    # State, advanced only after the items of a run are stored.
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_new_item_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SourceRun(Base):
    """One collection run of a source: what it found and what went wrong (the health log)."""

    __tablename__ = "source_run"
    __table_args__ = (Index("ix_source_run_source_started", "source_id", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # ok | not_modified | error
    found: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class Item(Base):
    """One post, article or comment as collected; the original text is kept verbatim."""

    __tablename__ = "item"
    __table_args__ = (
        # external_id leads: intake looks items up by it, and no other index competes for it.
        UniqueConstraint("external_id", "source_id"),
        Index("ix_item_sort", "sort_at", "id"),
        Index("ix_item_source_sort", "source_id", "sort_at"),
        Index("ix_item_source_reply", "source_id", "reply_to"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    norm_title: Mapped[str] = mapped_column(Text, default="")
    norm_text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(40), index=True)
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_followers: Mapped[int | None] = mapped_column(BigInteger)
    author_verified: Mapped[bool | None] = mapped_column(Boolean)
    author_kind: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sort_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reply_to: Mapped[str | None] = mapped_column(String(200))
    reads: Mapped[int] = mapped_column(BigInteger, default=0)
    comments: Mapped[int] = mapped_column(BigInteger, default=0)
    reposts: Mapped[int] = mapped_column(BigInteger, default=0)
    likes: Mapped[int] = mapped_column(BigInteger, default=0)
    metrics_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first item of the story this one copies (相似文章合并); None for a story's first item.
    story_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("item.id"), index=True
    )

    source: Mapped[Source] = relationship(lazy="joined")


class ItemMetric(Base):
    """Engagement observed at a time; growth between observations is what grading reads."""

    __tablename__ = "item_metric"
    __table_args__ = (UniqueConstraint("item_id", "observed_at"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reads: Mapped[int] = mapped_column(BigInteger, default=0)
    comments: Mapped[int] = mapped_column(BigInteger, default=0)
    reposts: Mapped[int] = mapped_column(BigInteger, default=0)
    likes: Mapped[int] = mapped_column(BigInteger, default=0)


class Evidence(Base):
    """取证: a key item's page as it was online — its HTML and a screenshot, with their SHA-256
    recorded in the audit chain, so the organisation can show what was there and when."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("item.id"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[int] = mapped_column(Integer)
    html_path: Mapped[str] = mapped_column(Text)
    html_sha256: Mapped[str] = mapped_column(String(64))
    screenshot_path: Mapped[str | None] = mapped_column(Text)
    screenshot_sha256: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    taken_by: Mapped[str] = mapped_column(String(100))
