"""What a plan file (预案) may say, as pydantic models; `loader` turns a YAML file into them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Deadline kinds the plans name, in the order a response meets them.
DEADLINES: dict[str, str] = {
    "report": "报告领导",
    "flash_phone": "电话快报",
    "flash_written": "书面快报",
    "on_post": "人员到岗",
    "joint_meeting": "召开联席会议",
    "forward": "转交涉事部门",
    "first_response": "首次公开回应",
    "formal_reply": "正式答复",
    "resolve": "办结",
}
DeadlineKind = Literal[
    "report",
    "flash_phone",
    "flash_written",
    "on_post",
    "joint_meeting",
    "forward",
    "first_response",
    "formal_reply",
    "resolve",
]
COLOURS: dict[str, str] = {
    "red": "#d9363e",
    "orange": "#f08a24",
    "yellow": "#e6b800",
    "blue": "#2f6fde",
}
# The plans' usual colours by level (Ⅰ red … Ⅳ blue), for pages spanning plan versions.
LEVEL_COLOURS = {n: COLOURS[c] for n, c in enumerate(("red", "orange", "yellow", "blue"), 1)}
ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ShiftDeadline(_Strict):
    """A deadline that depends on the hour: staff on post in 10 min at work, 30 min off hours."""

    working_hours: str
    off_hours: str


class LevelSpec(_Strict):
    level: int = Field(ge=1, le=4)
    name: str = Field(min_length=1)
    colour: Literal["red", "orange", "yellow", "blue"]
    criteria: list[str] = Field(min_length=1, description="any one holding sets the level")
    lead_unit: str = Field(min_length=1)
    approver: str | list[str] = Field(
        min_length=1,
        description="who approves statements at this level; a list is several steps in order",
    )

    @property
    def approvers(self) -> list[str]:
        return [self.approver] if isinstance(self.approver, str) else list(self.approver)

    deadlines: dict[DeadlineKind, str | ShiftDeadline] = Field(default_factory=dict)
    actions: list[str] = Field(default_factory=list, description="required actions (措施)")
    notify: list[str] = Field(default_factory=list, description="roles told of a warning")
    source: str | None = Field(None, description="where in the written plan this comes from")


class EscalationSpec(_Strict):
    when: Literal["growth_after_response", "deadline_missed"]
    raise_levels: int = Field(1, ge=1, le=3, alias="raise")
    window: str = Field("1h", description="growth_after_response: how long after the answer")
    growth: float = Field(
        1.0,
        gt=0,
        description="growth_after_response: the items an hour after the answer, "
        "as a share of those the hour before, from which the event keeps spreading",
    )


class PredictSpec(_Strict):
    horizon: str = "2h"
    lookback: str = "30m"
    min_items: int = Field(10, ge=1, description="no forecast for smaller events")
    min_recent: int = Field(10, ge=1, description="nor without this many new items in lookback")


class WarningSpec(_Strict):
    incident_at: int = Field(2, ge=1, le=4, description="warnings this severe open an incident")
    lift_role: Literal["admin", "office", "approver"] = "approver"
    ack_within: str = Field("15m", description="unacknowledged this long → the next role is told")
    digest_from: int | None = Field(
        None, ge=1, le=4, description="levels this number or less severe go out in a digest"
    )
    digest_every: str = Field("1h", description="how often a digest is sent")
    predict: PredictSpec = Field(default_factory=PredictSpec)


class NoticeSpec(_Strict):
    """Which roles hear of each step of an incident (besides the department given a task,
    whose handlers always hear of it)."""

    incident_opened: list[str] = Field(default_factory=lambda: ["office", "approver"])
    task_assigned: list[str] = Field(default_factory=lambda: ["office"])
    deadline_near: list[str] = Field(default_factory=lambda: ["office"])
    deadline_missed: list[str] = Field(default_factory=lambda: ["office", "approver"])
    statement_to_approve: list[str] = Field(default_factory=lambda: ["approver"])


class PlanSpec(_Strict):
    name: str = Field(min_length=1)
    organisation: str | None = None
    description: str | None = None
    sources: list[str] = Field(default_factory=list, description="the written plans it follows")
    levels: list[LevelSpec] = Field(min_length=1, max_length=4)
    warnings: WarningSpec = Field(default_factory=WarningSpec)
    escalation: list[EscalationSpec] = Field(default_factory=list)
    notices: NoticeSpec = Field(default_factory=NoticeSpec)
