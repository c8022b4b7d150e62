"""Drill alert latency: from a level-Ⅱ drill warning being committed to the on-duty officer's
webhook receiving it, through the running notifier (yuqing/notify/worker.py).

Each round replays one real post (covid19_weibo_hashtag_posts, given 230 comments so the
enterprise plan grades it Ⅱ) as a console drill does; the time runs from the replay reporting the
warning (after its transaction committed) to the local webhook server recording the POST.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import COVID_POSTS, RESULTS, machine, percentiles
from tests.notify.servers import webhook
from yuqing.access.accounts import NewUser, create_user
from yuqing.audit.log import Actor
from yuqing.collect.schema import ItemIn
from yuqing.notify.admin import add_channel
from yuqing.notify.duty import add_shift
from yuqing.notify.worker import Notifier
from yuqing.plan.versions import save, templates
from yuqing.replay.formats import Recorded
from yuqing.replay.run import replay
from yuqing.settings import Settings
from yuqing.store.base import utcnow
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade

KEY = "bench-secret-key-" + "x" * 32


def posts(n: int) -> list[str]:
    out: list[str] = []
    with gzip.open(COVID_POSTS / "posts_2020-01-19_to_02-23.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            if len(text) >= 30 and text not in out:
                out.append(text)
            if len(out) >= n:
                break
    return out


def measure(rounds: int, folder: Path) -> list[float]:
    url = f"sqlite:///{folder}/latency.db"
    upgrade(url)
    db = Database(url)
    settings = Settings(data_dir=folder, database_url=db.url, secret_key=KEY)
    latencies: list[float] = []
    with webhook() as hook:
        with db.write() as s:
            create_user(s, NewUser("zhang", roles=("office",), password=None), Actor.cli())
            save(s, templates()["enterprise-three-level"], Actor.cli())
            add_channel(
                s,
                "zhang手机",
                "webhook",
                {"url": hook.url},
                [],
                Actor.cli(),
                KEY,
                drill=True,
                owner="zhang",
                per_minute=10_000,
            )
            add_shift(
                s,
                utcnow() - timedelta(hours=1),
                utcnow() + timedelta(days=1),
                "zhang",
                None,
                Actor.cli(),
            )
        notifier = Notifier(db, settings)
        notifier.start()
        try:
            start = datetime(2020, 2, 1, tzinfo=UTC)
            for i, text in enumerate(posts(rounds)):
                item = ItemIn(id=f"b{i}", text=text, metrics={"comments": 230})
                at = start + timedelta(days=4 * i)  # far apart: each round its own event
                warned: list[float] = []
                before = len(hook.received)
                replay(
                    db,
                    [Recorded(at, i, item)],
                    lambda line, w=warned: (
                        w.append(time.monotonic()) if line["type"] == "warning" else None
                    ),
                    drill=True,
                    source="bench",
                )
                if not warned:  # a near-duplicate joined an earlier event: no new warning
                    continue
                while len(hook.received) == before and time.monotonic() - warned[0] < 10:
                    time.sleep(0.0005)
                latencies.append(time.monotonic() - warned[0])
        finally:
            notifier.stop()
            db.dispose()
    return latencies


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        latencies = measure(args.rounds, Path(tmp))
    report = {
        "what": "level-Ⅱ drill warning committed → on-duty officer's webhook received it",
        "rounds": len(latencies),
        **percentiles(latencies),
        "target_ms": 1000,
        "machine": machine(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    (RESULTS / "alert_latency.json").write_text(text)
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
