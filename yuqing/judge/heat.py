"""Reach and heat (热度) of an item: how many people it can reach and how much it is engaged with.

    engagement E = reads / 100 + likes + 2 × comments + 3 × reposts
    reach R      = followers of the author (0 if unknown)
    heat         = 10 × (ln(1 + E) + 0.3 × ln(1 + R)) × tier factor

Why: engagement spans six orders of magnitude, so it is log-scaled — ten times the reposts
adds a constant, not ten times the heat. Reposts and comments weigh more than likes and reads
because they carry a post to new readers and show people care; a read is cheap and often
counted generously by platforms. The author's audience matters (a post by an account with a
million followers will be seen) but less than what actually happened. The tier factor reflects
that the plans treat mainstream and central media coverage as escalation in itself.
All weights are configurable per installation: `heat_weights` in var/settings.json or
`YUQING_HEAT_WEIGHTS` as JSON (e.g. {"reposts": 5, "tiers": {"central": 3}}); defaults below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

TIER_FACTORS = {
    "central": 2.0,
    "provincial": 1.6,
    "local": 1.3,
    "portal": 1.3,
    "official": 1.3,
    "self_media": 1.0,
}


@dataclass(frozen=True)
class HeatWeights:
    reads: float = 0.01
    likes: float = 1.0
    comments: float = 2.0
    reposts: float = 3.0
    reach: float = 0.3
    verified_bonus: float = 1.2  # verified authors' reach counts a fifth more
    tiers: dict[str, float] = field(default_factory=lambda: dict(TIER_FACTORS))


@dataclass(frozen=True)
class HeatInput:
    reads: int = 0
    comments: int = 0
    reposts: int = 0
    likes: int = 0
    followers: int | None = None
    verified: bool | None = None
    media_tier: str | None = None


def engagement(x: HeatInput, w: HeatWeights) -> float:
    return x.reads * w.reads + x.likes * w.likes + x.comments * w.comments + x.reposts * w.reposts


def heat(x: HeatInput, w: HeatWeights | None = None) -> float:
    w = w or HeatWeights()
    reach = (x.followers or 0) * (w.verified_bonus if x.verified else 1.0)
    base = math.log1p(engagement(x, w)) + w.reach * math.log1p(reach)
    return round(10 * base * w.tiers.get(x.media_tier or "", 1.0), 1)


def weights_from(settings: dict[str, object]) -> HeatWeights:
    """HeatWeights from a settings mapping; a wrong key or value is refused with its name."""
    known = set(HeatWeights.__dataclass_fields__)
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ValueError(f"heat_weights: unknown {unknown}; known: {sorted(known)}")
    values = dict(settings)
    if "tiers" in values:
        values["tiers"] = {**TIER_FACTORS, **dict(values["tiers"])}  # type: ignore[arg-type]
    for name, value in values.items():
        if name != "tiers" and not isinstance(value, int | float):
            raise ValueError(f"heat_weights.{name}: a number is needed, not {value!r}")
    return HeatWeights(**values)  # type: ignore[arg-type]
