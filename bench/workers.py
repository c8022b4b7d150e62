"""Past one process: 1, 2 and 4 `yuqing worker` processes sharing the pipeline on PostgreSQL.

The first 40,000 covid19_weibo_hashtag_posts (their week moved to end now), under the county
plan with 200 schemes, served by local JSON APIs as 80 sources of 500 posts in time order, each
source on a loopback address of its own (127.0.1.1 …): a fetcher waits a second between two
requests to one host, out of politeness, so sources on one host would measure that wait (one
source a second per worker), not the pipeline.
The workers claim due sources with `SELECT … FOR UPDATE SKIP LOCKED` (as many at a time as
they have collector threads), store them (normalise, copies, judging, storage, search index)
and one of them, holding an advisory lock, runs the events stage on what all of them stored
(it hears of it through NOTIFY). Measured: the wall time from the moment the
sources fall due (every worker started and waiting) until every source has run and the events
stage has read every stored item, on a fresh database each time.

    python -m bench.workers [--posts N]   (part of `make bench`; bench/results/workers.json)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update

from bench.common import RESULTS, machine
from bench.pipeline import load, setup
from tests import pg
from yuqing.audit.log import Actor
from yuqing.collect.sources import SourceForm, create_source
from yuqing.collect.tables import Item, Source, SourceRun
from yuqing.events.tables import StageCursor
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade

KEY = "bench-workers-secret-key-" + "x" * 20
PER_SOURCE = 500
TIMEOUT = 1800.0


class Feeds:
    """The sites' APIs: /feed/<n> on the n-th loopback host answers source n's posts as one JSON
    page."""

    def __init__(self, posts: list[tuple[datetime, str]]) -> None:
        shift = datetime.now(UTC) - posts[-1][0]
        self.pages: list[bytes] = []
        for start in range(0, len(posts), PER_SOURCE):
            items = [
                {"id": str(n), "text": t, "published_at": (at + shift).isoformat()}
                for n, (at, t) in enumerate(posts[start : start + PER_SOURCE], start=start)
                if t.strip()
            ]
            self.pages.append(json.dumps({"items": items}, ensure_ascii=False).encode())
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                n = int(urlsplit(self.path).path.rsplit("/", 1)[-1])
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(pages[n])))
                self.end_headers()
                self.wfile.write(pages[n])

            def log_message(self, *args: object) -> None:
                pass

        self.servers = [
            ThreadingHTTPServer((f"127.0.{1 + n // 250}.{1 + n % 250}", 0), Handler)
            for n in range(len(self.pages))
        ]
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def url(self, n: int) -> str:
        host, port = self.servers[n].server_address[:2]
        return f"http://{host}:{port}/feed/{n}"

    def shutdown(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def add_sources(self, db: Database) -> None:
        fields = {"id": "id", "text": "text", "published_at": "published_at"}
        with db.write() as s:
            for n in range(len(self.pages)):
                config = {"url": self.url(n), "items": "items", "fields": fields}
                form = SourceForm(
                    key=f"vendor-{n:03d}",
                    name=f"数据商 {n}",
                    kind="api",
                    config=config,
                    allow_private=True,
                    respect_robots=False,
                    interval_seconds=7 * 86400,
                    jitter_seconds=0,
                )
                create_source(s, form, Actor.cli())


def _due_at(db: Database, at: datetime) -> None:
    with db.write() as s:
        s.execute(update(Source).values(next_due_at=at))


def _progress(db: Database) -> tuple[int, int, int, int]:
    """(sources run, items stored, newest item id, events stage cursor)."""
    with db.read() as s:
        runs = s.execute(select(func.count()).select_from(SourceRun)).scalar_one()
        items = s.execute(select(func.count()).select_from(Item)).scalar_one()
        newest = s.execute(select(func.max(Item.id))).scalar_one() or 0
        cursor = s.get(StageCursor, "events")
        return runs, items, newest, cursor.item_id if cursor else 0


def run(cluster: pg.Cluster, feeds: Feeds, posts: list[Any], k: int, work: Path) -> dict[str, Any]:
    url = cluster.create_database(f"workers{k}")
    upgrade(url)
    db = Database(url)
    setup(db, posts)
    feeds.add_sources(db)
    env = {**os.environ, "YUQING_DATABASE_URL": url, "YUQING_SECRET_KEY": KEY}
    env.update(YUQING_DATA_DIR=str(work), YUQING_COLLECT_TICK_SECONDS="1")
    _due_at(db, datetime(2100, 1, 1, tzinfo=UTC))  # held back until every worker is up
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "yuqing.cli", "worker"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=(work / f"worker-{k}-{i}.log").open("wb"),
        )
        for i in range(k)
    ]
    try:
        for p in procs:
            assert p.stdout is not None and b"running" in p.stdout.readline()
        started = time.perf_counter()
        _due_at(db, datetime.now(UTC))
        while True:
            runs, items, newest, cursor = _progress(db)
            if runs >= len(feeds.pages) and cursor >= newest:
                break
            if time.perf_counter() - started > TIMEOUT or any(p.poll() is not None for p in procs):
                raise RuntimeError(
                    f"workers stalled at {runs} runs, {items} items, cursor {cursor}"
                )
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(60)
        db.dispose()
    result = {
        "workers": k,
        "sources": runs,
        "items": items,
        "seconds": round(seconds, 1),
        "items_per_second": round(items / seconds),
    }
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=40_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args(argv)
    bindir = pg.find_bin()
    if bindir is None:
        print("bench.workers needs Debian's postgresql", file=sys.stderr)
        return 0
    posts = load(args.posts)
    feeds = Feeds(posts)
    cluster = pg.Cluster(bindir)
    cluster.start()
    try:
        with tempfile.TemporaryDirectory(prefix="yuqing-workers-") as tmp:
            runs = [run(cluster, feeds, posts, k, Path(tmp)) for k in args.workers]
    finally:
        cluster.stop()
        feeds.shutdown()
    report = {
        "benchmark": "yuqing worker processes sharing the pipeline on PostgreSQL",
        "command": "python -m bench.workers",
        "data": f"covid19_weibo_hashtag_posts, first {args.posts} posts as "
        f"{len(feeds.pages)} API sources of {PER_SOURCE}",
        "runs": runs,
        "machine": machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "workers.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
