"""One event's running state: its members, its word profile and its metrics, kept incrementally.

Metrics (the names the plan's criteria use, yuqing/plan/expr.py):
    items, replies            members; members that answer or repost another member
    sources, authors          distinct sources and distinct authors
    mainstream_media          distinct mainstream sources and media-kind authors
    central_media             distinct sources of the central tier
    reads, reposts, likes     sums of the members' latest engagement
    comments                  the larger of the members' comment counts and the replies
                              collected (跟帖评论: the platform's count, or what we saw)
    negative_share            negative members / items
    heat                      the heat formula (yuqing/judge/heat.py) over the summed engagement,
                              the widest author reach and the best media tier
    growth                    members that arrived in the last hour
Flags hold when the event's first item carries them or at least FLAG_MIN members do.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from yuqing.events.growth import unusual
from yuqing.events.model import Observation, Snapshot
from yuqing.judge.heat import TIER_FACTORS, HeatInput, HeatWeights, heat

if TYPE_CHECKING:
    from yuqing.plan.grade import Grade

BUCKET = timedelta(minutes=5)
HOUR = timedelta(hours=1)
FLAG_MIN = 3
MAX_WORDS = 400


def bucket_start(at: datetime) -> datetime:
    return at - timedelta(minutes=at.minute % 5, seconds=at.second, microseconds=at.microsecond)


@dataclass
class EventState:
    id: int
    first_at: datetime
    last_at: datetime
    seed_flags: frozenset[str] = frozenset()
    title: str = ""
    schemes: set[int] = field(default_factory=set)
    words: Counter[str] = field(default_factory=Counter)
    engagement: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    totals: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    replies: int = 0
    negative: int = 0
    sources: set[str] = field(default_factory=set)
    authors: set[str] = field(default_factory=set)
    mainstream: set[str] = field(default_factory=set)
    central: set[str] = field(default_factory=set)
    followers: int = 0
    tier: str | None = None
    flag_counts: Counter[str] = field(default_factory=Counter)
    arrivals: Counter[datetime] = field(default_factory=Counter)  # per minute, last 65 min
    saved: tuple[object, ...] = ()  # what was last written, to skip unchanged events
    graded: tuple[object, frozenset[str], dict[str, float], Grade] | None = None  # plan, in, out
    vector: tuple[int, int, dict[str, float]] | None = None  # (items, documents seen, TF-IDF)
    snapshots: list[Snapshot] = field(default_factory=list)
    changes: int = 0  # counts additions and engagement changes: what the metrics depend on
    static: tuple[int, HeatWeights | None, dict[str, float]] | None = None  # metrics but growth
    decided: tuple[int, datetime] | None = None  # changes, when first decided with them
    settled: tuple[int, object, object, dict[str, float]] | None = None  # see EventEngine

    @property
    def items(self) -> int:
        return len(self.engagement)

    def add(self, obs: Observation, is_reply: bool, words: list[str]) -> None:
        if obs.item_id in self.engagement:
            return
        if not self.engagement:
            self.seed_flags, self.title = obs.flags, obs.text
        self.engagement[obs.item_id] = obs.engagement
        self.totals = [a + b for a, b in zip(self.totals, obs.engagement, strict=True)]
        self.replies += is_reply
        self.negative += obs.negative
        self.schemes |= obs.schemes
        # Each word once, in the text's order: a set's order follows the string-hash seed, and
        # ties among an event's words (its index words, its vector) must not.
        self.words.update(dict.fromkeys(words, 1))
        if len(self.words) > MAX_WORDS:
            self.words = Counter(dict(self.words.most_common(MAX_WORDS // 2)))
        if obs.source:
            self.sources.add(obs.source)
        if obs.author:
            self.authors.add(obs.author)
        if obs.mainstream:
            self.mainstream.add(obs.author or obs.source)
        if obs.media_tier == "central":
            self.central.add(obs.source)
        self.followers = max(self.followers, obs.followers)
        if TIER_FACTORS.get(obs.media_tier or "", 0) > TIER_FACTORS.get(self.tier or "", 0):
            self.tier = obs.media_tier
        self.flag_counts.update(obs.flags)
        self.first_at = min(self.first_at, obs.at)
        self.last_at = max(self.last_at, obs.at)
        self.arrivals[obs.at.replace(second=0, microsecond=0)] += 1
        self.changes += 1

    def engage(self, item_id: int, values: tuple[int, int, int, int]) -> None:
        old = self.engagement.get(item_id)
        if old is None or old == values:
            return
        self.engagement[item_id] = values
        self.totals = [t - o + n for t, o, n in zip(self.totals, old, values, strict=True)]
        self.changes += 1

    def _recent(self, now: datetime, span: timedelta) -> int:
        """Members that arrived within `span` before now (to the minute)."""
        if self.last_at < now - span:
            return 0  # the usual answer for the many quiet events a sweep re-decides
        horizon = now - HOUR - BUCKET
        if len(self.arrivals) > 70:
            for minute in [m for m in self.arrivals if m < horizon]:
                del self.arrivals[minute]
        return sum(n for minute, n in self.arrivals.items() if now - span <= minute <= now)

    def flags(self, now: datetime) -> frozenset[str]:
        held = {f for f, n in self.flag_counts.items() if n >= FLAG_MIN} | set(self.seed_flags)
        last5 = self._recent(now, BUCKET)
        before = (self._recent(now, HOUR + BUCKET) - last5) / (HOUR / BUCKET)
        if unusual(last5, before) is not None:
            held.add("surge")
        return frozenset(held)

    def metrics(self, now: datetime, weights: HeatWeights | None = None) -> dict[str, float]:
        """Only growth moves with the clock; the rest is kept until the event changes."""
        static = self.static
        if static is None or static[0] != self.changes or static[1] is not weights:
            static = self.static = (self.changes, weights, self._static_metrics(weights))
        return {**static[2], "growth": self._recent(now, HOUR)}

    def _static_metrics(self, weights: HeatWeights | None) -> dict[str, float]:
        reads, comments, reposts, likes = self.totals
        items = self.items
        return {
            "items": items,
            "replies": self.replies,
            "sources": len(self.sources),
            "authors": len(self.authors),
            "mainstream_media": len(self.mainstream),
            "central_media": len(self.central),
            "reads": reads,
            "comments": max(comments, self.replies),
            "reposts": reposts,
            "likes": likes,
            "negative_share": round(self.negative / items, 3) if items else 0.0,
            "heat": heat(
                HeatInput(
                    reads,
                    max(comments, self.replies),
                    reposts,
                    likes,
                    self.followers,
                    None,
                    self.tier,
                ),
                weights,
            ),
        }

    def snapshot(self, now: datetime, metrics: dict[str, float]) -> Snapshot:
        """Record the metrics in the current 5-minute bucket (a new one when time moved on)."""
        start = bucket_start(now)
        last = self.snapshots[-1] if self.snapshots else None
        before = int(last.metrics.get("items", 0)) if last else 0
        if last is not None and last.start == start:
            prior = self.snapshots[-2].metrics.get("items", 0) if len(self.snapshots) > 1 else 0
            last.added = int(metrics["items"] - prior)
            last.metrics = metrics
            return last
        snap = Snapshot(start, int(metrics["items"]) - before, metrics)
        self.snapshots.append(snap)
        return snap

    def items_at(self, at: datetime) -> int:
        """Members counted by the end of the bucket holding `at` (0 before the event)."""
        i = bisect_right(self.snapshots, at, key=lambda snap: snap.start)
        return int(self.snapshots[i - 1].metrics.get("items", 0)) if i else 0

    def baseline(self, at: datetime) -> tuple[datetime, dict[str, float]] | None:
        """The metrics at the end of the last bucket that ended by `at`."""
        i = bisect_right(self.snapshots, at - BUCKET, key=lambda snap: snap.start)
        if i == 0:
            return None
        snap = self.snapshots[i - 1]
        return snap.start + BUCKET, snap.metrics
