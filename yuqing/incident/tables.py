"""Tables owned by the incident stage: incidents, their timeline, tasks, deadlines, required
actions and statements with every approval step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.store.base import Base, JSONDoc, UTCDateTime, utcnow

ID = BigInteger().with_variant(Integer, "sqlite")


class Incident(Base):
    """One response to a graded event (应急处置), from detection to the archived review."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_state", "drill", "state"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    event_id: Mapped[int | None] = mapped_column(ID, ForeignKey("event.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ID)  # opened by hand from one item
    warning_id: Mapped[int | None] = mapped_column(ID)
    title: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="detected")
    level: Mapped[int | None] = mapped_column(Integer)
    peak_level: Mapped[int | None] = mapped_column(Integer)
    plan_version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_version.id"))
    lead_unit: Mapped[str] = mapped_column(String(100), default="")
    departments: Mapped[list[int]] = mapped_column(JSONDoc, default=list)  # involved
    handlers: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    first_item_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(100))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # plan activated
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first statement out
    subsided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)  # figures at review time
    lessons: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IncidentEntry(Base):
    """The incident's own timeline: state and level changes, notes, tasks, statements."""

    __tablename__ = "incident_entry"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ID, ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))  # open, state, level, note, task, statement…
    actor: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)


class Task(Base):
    """Work given to a department (谁主管谁负责) or a person, with a due time."""

    __tablename__ = "incident_task"
    __table_args__ = (Index("ix_incident_task_department", "department_id", "state"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ID, ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # verify | fix | draft | report | other
    title: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    assignee: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[str | None] = mapped_column(Text)


class Deadline(Base):
    """A time limit from the plan (or a task's): due, warned, met and breached are all kept."""

    __tablename__ = "incident_deadline"
    __table_args__ = (Index("ix_incident_deadline_open", "state", "due_at"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ID, ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))  # a plan deadline kind, or "task"
    label: Mapped[str] = mapped_column(String(100))
    level: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(ID, ForeignKey("incident_task.id"))
    owner: Mapped[str] = mapped_column(String(100), default="")  # the unit answerable
    rule: Mapped[str] = mapped_column(Text, default="")  # how the due time was computed
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # open | met | breached | superseded (the level changed) — breached may still be met late
    state: Mapped[str] = mapped_column(String(16), default="open")
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    met_by: Mapped[str | None] = mapped_column(String(100))
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RequiredAction(Base):
    """A measure the plan requires at the level (联席会议, 24小时值班, 快报…): who, when."""

    __tablename__ = "incident_action"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ID, ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    level: Mapped[int | None] = mapped_column(Integer)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class Statement(Base):
    """通稿·回应口径: one text, approved before it is published; edits after approval start a
    new version that needs approval again."""

    __tablename__ = "incident_statement"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ID, ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="first")  # first | formal | update
    version: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    approver_role: Mapped[str] = mapped_column(String(100), default="")  # the plan's approver
    # The plan's approval steps for the level, in order (one unless the plan lists several).
    approval_steps: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)


class StatementStep(Base):
    """Every move of a statement: submitted, approved, returned (with why), edited, published."""

    __tablename__ = "incident_statement_step"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ID, ForeignKey("incident_statement.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
