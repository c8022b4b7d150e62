"""Tables owned by the warning stage: warnings and every step of their lifecycle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.store.base import Base, JSONDoc, UTCDateTime

ID = BigInteger().with_variant(Integer, "sqlite")


class Warning_(Base):
    __tablename__ = "warning"
    __table_args__ = (Index("ix_warning_state_level", "state", "level"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    event_id: Mapped[int] = mapped_column(ID, ForeignKey("event.id"), index=True)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="active")  # active | lifted
    level: Mapped[int] = mapped_column(Integer)
    predicted: Mapped[bool] = mapped_column(Boolean, default=False)
    predicted_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reasons: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    measures: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    plan_version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_version.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(64))


class WarningStep(Base):
    """issued / raised / confirmed / lowered / lifted, with its time, reasons and measures."""

    __tablename__ = "warning_step"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    warning_id: Mapped[int] = mapped_column(ID, ForeignKey("warning.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(16))
    level: Mapped[int | None] = mapped_column(Integer)
    predicted: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    measures: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    actor: Mapped[str] = mapped_column(String(64), default="system")
    note: Mapped[str | None] = mapped_column(Text)
