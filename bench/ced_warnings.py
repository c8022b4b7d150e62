"""How early and how right the warnings are, on the CED Weibo cascades (docs/warnings.md).

    python -m bench.ced_warnings [--cascades 300] [--plan enterprise-three-level]

Replays a reproducible sample of CED cascades (every cascade that stays under 50 replies, and
N others) through the whole pipeline — intake, judging, events, grading with the plan, warnings —
side by side on a simulated clock (`yuqing replay` with aligned starts), then scores the
timeline: for cascades that reach 500 replies within a week, how long before the 500th reply
the first warning and the first level-Ⅰ warning came (the enterprise plan's Ⅰ: comments ≥ 500);
for cascades that stay under 50, how many got a warning at all.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from typing import Any

from bench.common import RESULTS, SHARED_DATA, machine
from yuqing.audit.log import Actor
from yuqing.plan.versions import save, templates
from yuqing.replay.formats import Cascade, read_ced, source_posts
from yuqing.replay.run import replay
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade

CED = SHARED_DATA / "ced_weibo_rumor"
WITHIN = timedelta(days=7)
TICK = timedelta(minutes=5)
BIG, SMALL, TINY = 500, 50, 30


def sample(n: int, seed: int = 7) -> set[str]:
    """Every cascade that stays small, and n others, reproducibly."""
    import gzip
    from collections import Counter

    sizes: Counter[str] = Counter()
    with gzip.open(CED / "reposts_comments.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            sizes[json.loads(line)["event_id"]] += 1
    ids = sorted(source_posts(CED))
    small = {i for i in ids if sizes[i] < SMALL}
    others = [i for i in ids if i not in small]
    random.Random(seed).shuffle(others)
    return small | set(others[:n])


def score(timeline: list[dict[str, Any]], cascades: dict[str, Cascade]) -> dict[str, Any]:
    event_of: dict[str, int] = {}
    for line in timeline:
        if line["type"] == "item" and line["item_id"] in cascades:
            event_of[line["item_id"]] = line["event_id"]
    warnings: dict[int, list[dict[str, Any]]] = {}
    for line in timeline:
        if line["type"] == "warning" and line["action"] != "lifted":
            warnings.setdefault(line["event_id"], []).append(line)
    big_any: list[float] = []
    big_top: list[float] = []
    big_predicted_top = 0
    big = small = small_warned = small_predicted = 0
    tiny = tiny_warned = 0
    for cid, c in cascades.items():
        steps = warnings.get(event_of.get(cid, -1), [])
        if len(c.replies) >= BIG:
            big += 1
            t500 = c.replies[BIG - 1]
            if steps:
                big_any.append((t500 - datetime.fromisoformat(steps[0]["t"])).total_seconds() / 60)
            top = [s for s in steps if s["level"] == 1]
            if top:
                first = datetime.fromisoformat(top[0]["t"])
                big_top.append((t500 - first).total_seconds() / 60)
                big_predicted_top += top[0]["predicted"] and first < t500
        elif len(c.replies) < SMALL:
            small += 1
            small_warned += bool(steps)
            small_predicted += any(s["predicted"] for s in steps)
            if len(c.replies) < TINY:
                tiny += 1
                tiny_warned += bool(steps)

    def minutes(values: list[float]) -> dict[str, float | int]:
        if not values:
            return {"n": 0}
        return {
            "n": len(values),
            "median": round(statistics.median(values), 1),
            "p25": round(statistics.quantiles(values, n=4)[0], 1) if len(values) > 1 else values[0],
            "share_before": round(sum(v > 0 for v in values) / len(values), 3),
        }

    return {
        "cascades_reaching_500": big,
        "first_warning_minutes_before_500th_reply": minutes(big_any),
        "first_level1_warning_minutes_before_500th_reply": minutes(big_top),
        "level1_predicted_before_crossing": big_predicted_top,
        "cascades_under_50": small,
        "under_50_with_any_warning": small_warned,
        "under_50_with_predicted_warning": small_predicted,
        "cascades_under_30": tiny,
        "under_30_with_any_warning": tiny_warned,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cascades", type=int, default=300)
    parser.add_argument("--plan", default="enterprise-three-level")
    args = parser.parse_args(argv)
    if not CED.exists():
        print(f"bench: {CED} is absent", file=sys.stderr)
        return 1
    started = time.perf_counter()
    records, cascades = read_ced(CED, sample(args.cascades), align=True, within=WITHIN)
    timeline: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/replay.db"
        upgrade(url)
        db = Database(url)
        with db.write() as session:
            save(session, templates()[args.plan], Actor.cli())
        replay_started = time.perf_counter()
        progress = replay(db, records, timeline.append, tick=TICK)
        seconds = time.perf_counter() - replay_started
        db.dispose()
    report = {
        "benchmark": "ced_warnings",
        "command": f"python -m bench.ced_warnings --cascades {args.cascades} --plan {args.plan}",
        "data": f"ced_weibo_rumor: {len(cascades)} cascades, {len(records)} items, replies "
        f"within {WITHIN.days} days, starts aligned, {int(TICK.total_seconds() / 60)}-minute steps",
        "plan": args.plan,
        "machine": machine(),
        "replay_seconds": round(seconds, 1),
        "items_per_second": round(len(records) / seconds),
        "events": progress.events,
        "warning_steps": progress.warnings,
        **score(timeline, cascades),
        "total_seconds": round(time.perf_counter() - started, 1),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "warnings.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
