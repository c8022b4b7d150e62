"""Past one process: 1, 2 and 4 `yuqing import` processes sharing the pipeline on PostgreSQL.

The first 40,000 covid19_weibo_hashtag_posts (times as in bench/pipeline.py), under the county
plan with 200 schemes, split into as many shards as there are processes; every process stores
its shard (normalise, copies, judging, storage, search index) and runs the events stage, which
the processes take in turns (its cursor row is locked for a run). Measured: the wall time until
every item is stored and placed in an event, on a fresh database each time.

    python -m bench.workers [--posts N]   (part of `make bench`; bench/results/workers.json)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from bench.common import RESULTS, machine
from bench.pipeline import load, setup
from tests import pg
from yuqing.collect.tables import Item
from yuqing.events.tables import EventItem
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade

KEY = "bench-workers-secret-key-" + "x" * 20


def shards(posts: list[Any], k: int, work: Path) -> list[Path]:
    files = [work / f"shard-{k}-{i}.jsonl" for i in range(k)]
    handles = [f.open("w", encoding="utf-8") for f in files]
    for n, (at, text_) in enumerate(posts):
        if text_.strip():
            item = {"id": str(n), "text": text_, "published_at": at.isoformat()}
            handles[n % k].write(json.dumps(item, ensure_ascii=False) + "\n")
    for h in handles:
        h.close()
    return files


def run(cluster: pg.Cluster, posts: list[Any], k: int, work: Path) -> dict[str, Any]:
    name = f"workers{k}"
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = cluster.url(name)
    upgrade(url)
    db = Database(url)
    setup(db, posts)
    files = shards(posts, k, work)
    env = {**os.environ, "YUQING_DATABASE_URL": url, "YUQING_SECRET_KEY": KEY}
    env["YUQING_DATA_DIR"] = str(work)
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "yuqing.cli", "import", str(f), "--source", "weibo"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for f in files
    ]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(err.decode()[-2000:])
    seconds = time.perf_counter() - started
    with db.read() as s:
        stored = s.execute(select(func.count()).select_from(Item)).scalar_one()
        placed = s.execute(select(func.count()).select_from(EventItem)).scalar_one()
    db.dispose()
    assert stored == placed, (stored, placed)
    result = {
        "processes": k,
        "items": stored,
        "seconds": round(seconds, 1),
        "items_per_second": round(stored / seconds),
    }
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=40_000)
    args = parser.parse_args(argv)
    bindir = pg.find_bin()
    if bindir is None:
        print("bench.workers needs Debian's postgresql", file=sys.stderr)
        return 0
    posts = load(args.posts)
    cluster = pg.Cluster(bindir)
    cluster.start()
    try:
        with tempfile.TemporaryDirectory(prefix="yuqing-workers-") as tmp:
            runs = [run(cluster, posts, k, Path(tmp)) for k in (1, 2, 4)]
    finally:
        cluster.stop()
    report = {
        "benchmark": "import processes sharing the pipeline on PostgreSQL",
        "command": "python -m bench.workers",
        "data": f"covid19_weibo_hashtag_posts, first {args.posts} posts",
        "runs": runs,
        "machine": machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "workers.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
