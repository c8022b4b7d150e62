"""The events stage under a live stream, without HTTP: for comparing code before and after a
change to the stage (docs/performance.md, "With 1,000 items/s arriving").

N covid19_weibo_hashtag_posts stored as the API stores them (100 per transaction, stamped with
the time they arrive), under the enterprise plan and without monitoring schemes, so that every
item is watched and clustered — the situation of `bench.alert_load`; then the events stage reads
them all in the runs a running service makes (LIVE_BATCH items each). Prints the seconds and CPU
seconds of both. Run old and new code alternately: the host's speed swings between runs.

    python -m bench.live_stage [--posts 20000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime

from bench.search_scale import posts
from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.events.stage import LIVE_BATCH, run_until_idle
from yuqing.plan.versions import save, templates
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade

PER_REQUEST = 100


def measure(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="yuqing-live-") as folder:
        url = f"sqlite:///{folder}/live.db"
        upgrade(url)
        db = Database(url)
        with db.write() as s:
            save(s, templates()["enterprise-three-level"], Actor.cli())
        texts = posts()[:n]
        intake = Intake(db, Actor.cli(), "weibo", "api", "bench")
        started, cpu = time.perf_counter(), time.process_time()
        for k in range(0, len(texts), PER_REQUEST):
            now = datetime.now(UTC).isoformat()
            intake.store(
                [
                    (i, ItemIn(id=f"p{k + i}", text=t, source="微博", published_at=now))
                    for i, t in enumerate(texts[k : k + PER_REQUEST])
                ]
            )
        stored, stored_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        read = run_until_idle(db, batch=LIVE_BATCH)
        staged, staged_cpu = time.perf_counter() - started, time.process_time() - cpu
        db.dispose()
    return {
        "posts": len(texts),
        "intake_seconds": round(stored, 1),
        "intake_cpu_seconds": round(stored_cpu, 1),
        "stage_items": read,
        "stage_seconds": round(staged, 1),
        "stage_cpu_seconds": round(staged_cpu, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.posts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
