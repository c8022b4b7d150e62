"""Alert latency under load: items arriving at a steady rate through the API of a running
service from two collectors, and now and then one post that the enterprise plan grades Ⅱ.
Measured per such post: from the API acknowledging it (it is stored) to the on-duty group's
webhook receiving its warning — intake, the events stage behind
whatever arrived before it, grading, the outbox and the notifier.

Three deployments: SQLite with `yuqing serve` as a county office runs it (the API in the
service's process, the events stage and the notifier in its child `yuqing worker`: two
processes, two cores); SQLite with `yuqing serve --no-worker`, one process doing everything (as
`serve` was before 2026-12-07); PostgreSQL with `yuqing serve --workers 2 --no-worker` beside
one `yuqing worker` (docs/deployment.md).

Background posts are covid19_weibo_hashtag_posts, stamped with the time they are sent; the
graded posts are weibo21 posts (another topic, so they open events of their own), one every
half second (120 a minute: with one every 2 s, as before, the p99 was the slowest of 26), each
marked with its number so its message is recognised.

Each run also says where the time went, from the database's own timestamps
(bench/alert_trace.py): waiting for the events stage, the stage's run and the notifier claiming
the message, sending it; and how many stored items the events stage had not read yet, sampled
ten times a second (its backlog).

    python -m bench.alert_load [--rate 1000] [--seconds 60] [--graded-every 0.5]
                               [--deployment NAME …]
    (part of `make bench`; bench/results/alert_load.json)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.alert_trace import Backlog, Sent, breakdown
from bench.common import RESULTS, SHARED_DATA, machine, percentiles
from bench.search_scale import posts
from tests import pg
from tests.notify.servers import Hook, webhook
from yuqing.access import accounts, tokens
from yuqing.audit.log import Actor
from yuqing.collect.queries import newest_ids
from yuqing.events.stage import cursor_name
from yuqing.events.tables import StageCursor
from yuqing.notify.admin import add_channel
from yuqing.plan.versions import save, templates
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade

KEY = "bench-alert-load-key-" + "x" * 24
BATCH = 100
WEIBO21 = SHARED_DATA / "weibo21_mdfend"
SETTLE = 5.0  # after the stage caught up, how long a warning may still take to be sent


@dataclass(frozen=True)
class Deployment:
    backend: str
    web: int  # uvicorn worker processes of `yuqing serve`
    pipeline: str  # "child": serve's own child worker; "threads": in serve; "worker": beside it

    @property
    def processes(self) -> str:
        serve = f"serve --workers {self.web}"
        return {
            "child": f"{serve} (and its child worker)",
            "threads": f"{serve} --no-worker (one process)",
            "worker": f"{serve} --no-worker + yuqing worker",
        }[self.pipeline]

    def commands(self, port: int) -> list[tuple[list[str], dict[str, str]]]:
        serve = ["serve", "--port", str(port), "--workers", str(self.web)]
        if self.pipeline == "child":
            return [(serve, {})]
        if self.pipeline == "threads":
            return [([*serve, "--no-worker"], {})]
        return [([*serve, "--no-worker"], {"YUQING_COLLECT": "false"}), (["worker"], {})]


DEPLOYMENTS = {
    "sqlite": Deployment("sqlite", 1, "child"),
    "sqlite-threads": Deployment("sqlite", 1, "threads"),
    "postgresql": Deployment("postgresql", 2, "worker"),
}


def graded_posts(n: int) -> list[str]:
    out: list[str] = []
    with (WEIBO21 / "test.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = row["content"]
            if len(text) >= 40 and text not in out:
                out.append(text[:200])
            if len(out) >= n:
                break
    return out


def _setup(db: Database, hook: Hook) -> str:
    with db.write() as s:
        user, _ = accounts.create_user(
            s, accounts.NewUser(username="crawler", roles=("monitor",)), Actor.cli()
        )
        save(s, templates()["enterprise-three-level"], Actor.cli())
        add_channel(
            s,
            "值班群",
            "webhook",
            {"url": hook.url},
            ["office"],
            Actor.cli(),
            KEY,
            per_minute=10_000,
        )
        _, token = tokens.create_token(s, user, "crawler", ["items.import"], Actor.cli())
    return token


class Arrivals(threading.Thread):
    """Posts a batch every BATCH/rate seconds, on a fixed schedule; counts what was stored."""

    def __init__(
        self, url: str, token: str, rate: float, texts: list[str], seconds: float, name: str
    ) -> None:
        super().__init__(daemon=True)
        self.name = name
        self.url, self.rate, self.texts, self.seconds = url, rate, texts, seconds
        self.headers = {"Authorization": f"Bearer {token}"}
        self.stored = 0
        self.late = 0.0  # how far the schedule slipped at the end

    def run(self) -> None:
        start, n = time.monotonic(), 0
        with httpx.Client(timeout=60) as client:
            while time.monotonic() - start < self.seconds:
                now = datetime.now(UTC).isoformat()
                batch = [
                    {"id": f"{self.name}-{n + i}", "text": self.texts[(n + i) % len(self.texts)]}
                    | {"source": "微博", "published_at": now}
                    for i in range(BATCH)
                ]
                r = client.post(
                    f"{self.url}/api/v1/items", json={"items": batch}, headers=self.headers
                )
                r.raise_for_status()
                n += BATCH
                self.stored += BATCH
                wait = start + n / self.rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
        self.late = max(time.monotonic() - start - n / self.rate, 0.0)


def measure(
    rate: float, seconds: float, folder: Path, deployment: Deployment, every: float = 0.5
) -> dict[str, Any]:
    if deployment.backend == "sqlite":
        return _measure(rate, seconds, every, folder, f"sqlite:///{folder}/load.db", deployment)
    bindir = pg.find_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed")
    cluster = pg.Cluster(bindir)
    cluster.start()
    try:
        url = cluster.create_database("load")
        return _measure(rate, seconds, every, folder, url, deployment)
    finally:
        cluster.stop()


def _measure(
    rate: float, seconds: float, every: float, folder: Path, url: str, deployment: Deployment
) -> dict[str, Any]:
    upgrade(url)
    db = Database(url)
    background = posts()
    graded = graded_posts(int(seconds / every) + 1)
    with webhook() as hook:
        token = _setup(db, hook)
        port = pg.free_port()
        base = f"http://127.0.0.1:{port}"
        env = os.environ | {
            "YUQING_DATABASE_URL": url,
            "YUQING_DATA_DIR": str(folder),
            "YUQING_SECRET_KEY": KEY,
            "YUQING_PUBLIC_URL": base,
        }
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "yuqing.cli", *command],
                env=env | extra,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for command, extra in deployment.commands(port)
        ]
        backlog = Backlog(db)
        try:
            _wait_until_up(base)
            loads = [
                Arrivals(base, token, rate / 2, background[k::2], seconds, f"bg{k}")
                for k in range(2)
            ]
            for load in loads:
                load.start()
            backlog.start()
            sent = _send_graded(base, token, graded, every, loads)
            for load in loads:
                load.join()
            _settle(db, hook, sent)
            arrived = _arrived(hook, sent)
            where = breakdown(db, sent, arrived)
        finally:
            backlog.stop()
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
            db.dispose()
    return {
        "backend": db.dialect,
        "processes": deployment.processes,
        "offered_items_per_s": rate,
        "arrived_items_per_s": round(
            sum(load.stored for load in loads) / (seconds + max(load.late for load in loads)), 1
        ),
        "seconds": seconds,
        "graded_posts": len(sent),
        "warned": len(arrived),
        **percentiles([arrived[m] - sent[m].monotonic for m in arrived]),
        "where_ms": where,
        "stage_backlog_items": percentiles(backlog.samples, scale=1, names=("p50", "p99", "max")),
    }


def _send_graded(
    base: str, token: str, graded: list[str], every: float, loads: list[Arrivals]
) -> dict[str, Sent]:
    """One graded post every `every` seconds while the background load runs; when each was
    acknowledged, by its marker."""
    headers = {"Authorization": f"Bearer {token}"}
    sent: dict[str, Sent] = {}
    start = time.monotonic()
    with httpx.Client(timeout=60) as client:
        for k, text in enumerate(graded):
            if not all(load.is_alive() for load in loads):
                break
            marker = f"第{k:04d}号"
            item = {
                "id": f"graded{k}",
                "source": "微博",
                "text": f"{marker}{text}",
                "published_at": datetime.now(UTC).isoformat(),
                "metrics": {"comments": 230},
            }
            r = client.post(f"{base}/api/v1/items", json={"items": [item]}, headers=headers)
            r.raise_for_status()
            sent[marker] = Sent(time.monotonic(), datetime.now(UTC))
            time.sleep(max(start + (k + 1) * every - time.monotonic(), 0))
    return sent


def _settle(db: Database, hook: Hook, sent: dict[str, Sent]) -> None:
    """Until every graded post warned, or the events stage has read everything stored and
    SETTLE seconds passed (a graded post that joined an event already warned at its level
    raises no new warning), at most 5 minutes."""
    deadline = time.monotonic() + 300
    caught_up: float | None = None
    while len(_arrived(hook, sent)) < len(sent) and time.monotonic() < deadline:
        if caught_up is None:
            with db.read() as s:
                stage = s.get(StageCursor, cursor_name(False))
                if stage is not None and stage.item_id >= newest_ids(s)[0]:
                    caught_up = time.monotonic()
        elif time.monotonic() - caught_up > SETTLE:
            return
        time.sleep(0.1)


def _arrived(hook: Hook, sent: dict[str, Sent]) -> dict[str, float]:
    """When each marked post's warning reached the webhook (its first message)."""
    seen: dict[str, float] = {}
    for at, body in hook.timed:
        for marker in sent:
            if marker not in seen and marker in json.dumps(body, ensure_ascii=False):
                seen[marker] = at
    return seen


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("yuqing serve did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, nargs="+", default=[1000.0, 250.0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--graded-every", type=float, default=0.5, help="seconds between")
    parser.add_argument(
        "--deployment", choices=list(DEPLOYMENTS), nargs="+", default=list(DEPLOYMENTS)
    )
    args = parser.parse_args(argv)
    names = [n for n in args.deployment if pg.find_bin() or DEPLOYMENTS[n].backend == "sqlite"]
    runs = []
    for name in names:
        for rate in args.rate:
            with tempfile.TemporaryDirectory(prefix="yuqing-load-") as tmp:
                runs.append(
                    measure(rate, args.seconds, Path(tmp), DEPLOYMENTS[name], args.graded_every)
                )
            print(json.dumps(runs[-1], ensure_ascii=False))
    report = {
        "benchmark": "alert latency under load",
        "command": "python -m bench.alert_load",
        "what": "API acknowledged a level-Ⅱ post → the on-duty webhook received its warning",
        "target": {"offered_items_per_s": 1000, "p99_ms": 1000},
        "runs": runs,
        "machine": machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    (RESULTS / "alert_load.json").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
