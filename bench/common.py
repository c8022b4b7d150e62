"""What the benchmarks share: where the data and the results are, and the machine's description."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
COVID_POSTS = SHARED_DATA / "covid19_weibo_hashtag_posts"
RESULTS = ROOT / "bench" / "results"


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def percentiles(
    values: list[float],
    scale: float = 1000,
    names: tuple[str, ...] = ("p50_ms", "p99_ms", "max_ms"),
) -> dict[str, float | None]:
    """Median, 99th percentile (the nearest rank) and maximum of `values` times `scale`."""
    ranked = sorted(round(v * scale, 1) for v in values)
    if not ranked:
        return dict.fromkeys(names)
    picks = (statistics.median(ranked), ranked[min(len(ranked) - 1, int(len(ranked) * 0.99))])
    return dict(zip(names, (*(round(x, 1) for x in picks), ranked[-1]), strict=True))
