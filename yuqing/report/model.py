"""What a report says, as plain data: the snapshot it is built from, stored with it, so a report
opened next year shows the numbers it had the day it was made."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Kind = Literal["daily", "weekly", "monthly", "period", "special", "review", "ledger", "flash"]
KIND_NAMES: dict[str, str] = {
    "daily": "舆情日报",
    "weekly": "舆情周报",
    "monthly": "舆情月报",
    "period": "舆情报告",
    "special": "舆情专报",
    "review": "总结评估报告",
    "ledger": "舆情处置台账",
    "flash": "舆情快报",
}


class Count(BaseModel):
    name: str
    count: int


class Point(BaseModel):
    at: datetime
    count: int


class EventRow(BaseModel):
    id: int
    title: str
    level: int | None
    level_name: str
    heat: float
    items: int
    first_at: datetime
    last_at: datetime | None
    negative_share: float | None
    comments: int
    keywords: list[str] = Field(default_factory=list)


class StepRow(BaseModel):
    at: datetime
    event_id: int
    title: str
    action: str
    level_name: str
    predicted: bool
    reasons: list[str]
    in_force: bool


class DeadlineRow(BaseModel):
    label: str
    owner: str
    due_at: datetime
    met_at: datetime | None
    outcome: str  # 按时 | 超时完成 | 超时未完成 | 未到期 | 已按新级别重算


class IncidentRow(BaseModel):
    id: int
    title: str
    level_name: str
    peak_level_name: str
    state: str
    category: str | None
    lead_unit: str
    departments: list[str]
    opened_at: datetime
    activated_at: datetime | None
    answered_at: datetime | None
    subsided_at: datetime | None
    archived_at: datetime | None
    deadlines: list[DeadlineRow]
    met: int
    missed: int
    next_due: str | None
    result: str | None


class Header(BaseModel):
    kind: Kind
    title: str
    organisation: str
    drill: bool
    start: datetime | None = None
    end: datetime | None = None
    generated_at: datetime
    generated_by: str
    timezone: str = "Asia/Shanghai"


class PeriodData(BaseModel):
    items: int
    previous_items: int
    volume: list[Point]
    step_hours: float
    sentiment: dict[str, int]
    categories: list[Count]
    sources: list[Count]
    regions: list[Count]
    events: list[EventRow]
    warnings: list[StepRow]
    incidents: list[IncidentRow]


class SpecialData(BaseModel):
    event: EventRow
    volume: list[Point]
    sentiment: dict[str, int]
    sources: list[Count]
    regions: list[Count]
    representatives: list[dict[str, Any]]
    warnings: list[StepRow]
    incident: IncidentRow | None


class ReviewData(BaseModel):
    incident: IncidentRow
    figures: dict[str, Any] | None
    lessons: str | None
    timeline: list[dict[str, Any]]
    statements: list[dict[str, Any]]
    tasks: list[dict[str, Any]]


class LedgerData(BaseModel):
    incidents: list[IncidentRow]


class FlashData(BaseModel):
    incident: IncidentRow
    what: str
    when: datetime | None
    where: list[str]
    spread: str
    why: str
    measures: list[str]
    next_steps: list[str]
    text: str  # the short text sent through the channels; people may edit it


class Report(BaseModel):
    """One report's snapshot: the header and exactly one body."""

    header: Header
    period: PeriodData | None = None
    special: SpecialData | None = None
    review: ReviewData | None = None
    ledger: LedgerData | None = None
    flash: FlashData | None = None
