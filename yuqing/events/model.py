"""What the events stage reads of an item, and what it decides: plain data between stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Observation:
    """An item as clustering and event metrics need it (built from collect and judge results)."""

    item_id: int
    key: str  # "source_id:external_id": what a reply's reply_to points at
    at: datetime  # when it was published (or collected), never later than the clock
    text: str  # normalised title and text
    reply_to: str | None = None  # key of the item it answers or reposts
    story_id: int | None = None  # first item of the story it copies
    schemes: frozenset[int] = frozenset()
    source: str = ""
    author: str | None = None
    followers: int = 0
    mainstream: bool = False
    media_tier: str | None = None
    negative: bool = False
    flags: frozenset[str] = frozenset()
    engagement: tuple[int, int, int, int] = (0, 0, 0, 0)  # reads, comments, reposts, likes


@dataclass(frozen=True)
class Engagement:
    """A later observation of an item's reads, comments, reposts and likes."""

    item_id: int
    values: tuple[int, int, int, int]


@dataclass(frozen=True)
class Placement:
    """Which event an item joined, and why (reply, copy, similar text, new)."""

    item_id: int
    event_id: int
    how: str  # reply | copy | similar | new | manual
    score: float = 0.0


@dataclass
class Snapshot:
    """An event's cumulative metrics at the end of a 5-minute bucket."""

    start: datetime
    added: int
    metrics: dict[str, float] = field(default_factory=dict)
