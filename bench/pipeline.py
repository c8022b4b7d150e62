"""End-to-end ingest in one process on SQLite (issue target: 5,000 items/s): all 322,665
covid19_weibo_hashtag_posts through normalise → dedup → match (200 schemes) → sentiment →
category → heat → store (with the search index) → events → grading → warnings, in batches of
1,000 as a collector pushes them, the events stage run after each batch on the stream's clock,
under the county plan.

Compared in the same run with a naive per-item pipeline on the first posts: jieba segmentation,
snownlp sentiment and one INSERT per item (committed per batch of 1,000, to be kind to it).

The posts carry only their day; each day's posts are spread evenly over it in file order.

    python -m bench.pipeline [--posts N] [--naive N] [--profile FILE] [--postgresql]
    (part of `make bench`; bench/results/pipeline.json)

`--postgresql` runs the same pipeline on a throwaway PostgreSQL cluster on loopback (Debian's
server, as the tests start it) and only prints its figures: the target is SQLite's, but the
production database's per-item cost is worth comparing a change on.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import resource
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.common import COVID_POSTS, RESULTS, machine
from bench.schemes import scheme_forms
from yuqing import heap
from yuqing.audit.log import Actor
from yuqing.collect.dedup import index_for
from yuqing.collect.intake import Intake, warm_up
from yuqing.collect.schema import ItemIn
from yuqing.events.stage import BATCH as STAGE_BATCH
from yuqing.events.stage import EventStage
from yuqing.events.tables import Event
from yuqing.judge.admin import create_scheme
from yuqing.plan.versions import save, templates
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade
from yuqing.text.normalise import normalise
from yuqing.warn.tables import Warning_

BATCH = 1000
PATH = COVID_POSTS / "posts_2020-01-19_to_02-23.jsonl.gz"


def load(limit: int | None = None) -> list[tuple[datetime, str]]:
    """(time, text) in file order, each day's posts spread evenly over the day."""
    by_day: dict[str, list[str]] = defaultdict(list)
    order: list[str] = []
    with gzip.open(PATH, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                break
            post = json.loads(line)
            if post["date"] not in by_day:
                order.append(post["date"])
            by_day[post["date"]].append(post["text"])
    out: list[tuple[datetime, str]] = []
    for day in order:
        texts = by_day[day]
        start = datetime.fromisoformat(day).replace(tzinfo=UTC) - timedelta(hours=8)
        step = timedelta(days=1) / len(texts)
        out.extend((start + step * i, t) for i, t in enumerate(texts))
    return out


def setup(db: Database, posts: list[tuple[datetime, str]]) -> None:
    with db.write() as s:
        save(s, templates()["county-four-level"], Actor.cli())
        for form in scheme_forms([normalise(t) for _, t in posts[:5000]]):
            create_scheme(s, form, Actor.cli())


def run_pipeline(db: Database, posts: list[tuple[datetime, str]]) -> dict[str, Any]:
    clock = {"now": posts[0][0]}
    intake = Intake(db, Actor.cli(), "weibo-covid19", "file", "bench", lambda: clock["now"])
    stage = EventStage(db)
    spent = {"intake": 0.0, "events": 0.0}
    memory: list[dict[str, int]] = []
    refused = 0
    warm_up(db)  # as `yuqing worker` and `yuqing import` start: models loaded, heap settled
    heap.settle()
    started = time.perf_counter()
    for start in range(0, len(posts), BATCH):
        chunk = posts[start : start + BATCH]
        clock["now"] = chunk[-1][0]
        batch: list[tuple[int, ItemIn]] = []
        for n, (at, text) in enumerate(chunk, start=start + 1):
            if text.strip():
                batch.append((n, ItemIn(id=str(n), text=text, published_at=at)))
            else:
                refused += 1  # a real post with no text: intake would refuse it too
        t0 = time.perf_counter()
        intake.store(batch)
        t1 = time.perf_counter()
        while stage.run(clock["now"]).items >= STAGE_BATCH:
            pass
        spent["intake"] += t1 - t0
        spent["events"] += time.perf_counter() - t1
        if (start // BATCH) % 40 == 39:
            memory.append(_memory(start + len(chunk), stage, db))
    seconds = time.perf_counter() - started
    with db.read() as s:
        events = s.execute(select(func.count()).select_from(Event)).scalar_one()
        warnings = s.execute(select(func.count()).select_from(Warning_)).scalar_one()
    return {
        "posts": len(posts),
        "refused_empty": refused,
        "seconds": round(seconds, 1),
        "items_per_second": round(len(posts) / seconds),
        "seconds_by_part": {k: round(v, 1) for k, v in spent.items()},
        "events": events,
        "warnings": warnings,
        "memory": memory,
    }


def _memory(posts: int, stage: EventStage, db: Database) -> dict[str, int]:
    """Resident memory and what the time windows hold, as the stream goes on."""
    with open("/proc/self/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    engine = stage._engine
    return {
        "posts": posts,
        "rss_mib": round(rss / 1024),
        "events_in_window": len(engine.events) if engine else 0,
        "dedup_items_in_window": len(index_for(db).entries),
    }


def run_naive(posts: list[tuple[datetime, str]], path: Path) -> dict[str, Any]:
    """The pipeline a first attempt would write: one item at a time, jieba and snownlp."""
    import jieba
    from snownlp import SnowNLP

    jieba.initialize()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE item (id TEXT PRIMARY KEY, text TEXT, words TEXT, sentiment REAL)")
    started = time.perf_counter()
    for n, (_, text) in enumerate(posts, start=1):
        if not text.strip():
            continue
        words = " ".join(jieba.lcut(text))
        sentiment = SnowNLP(text).sentiments
        conn.execute("INSERT INTO item VALUES (?, ?, ?, ?)", (str(n), text, words, sentiment))
        if n % BATCH == 0:
            conn.commit()
    conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    return {
        "posts": len(posts),
        "seconds": round(seconds, 1),
        "items_per_second": round(len(posts) / seconds, 1),
    }


def _postgresql(stack: ExitStack) -> str:
    from tests import pg

    bindir = pg.find_bin()
    if bindir is None:
        raise SystemExit("--postgresql needs Debian's postgresql")
    cluster = pg.Cluster(bindir)
    cluster.start()
    stack.callback(cluster.stop)
    return cluster.create_database("pipeline")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=None, help="first N posts (default: all)")
    parser.add_argument("--naive", type=int, default=2000, help="posts for the naive baseline")
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile here")
    parser.add_argument("--postgresql", action="store_true", help="on PostgreSQL; print only")
    args = parser.parse_args(argv)
    if not PATH.exists():
        print(f"{PATH} is absent", file=sys.stderr)
        return 1
    posts = load(args.posts)
    with tempfile.TemporaryDirectory(prefix="yuqing-pipeline-") as work, ExitStack() as stack:
        url = f"sqlite:///{Path(work) / 'bench.db'}"
        if args.postgresql:
            url = _postgresql(stack)
        upgrade(url)
        db = Database(url)
        setup(db, posts)
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        ours = run_pipeline(db, posts)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        db.dispose()
        ours["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps({"yuqing": ours}, ensure_ascii=False))
        naive = run_naive(posts[: args.naive], Path(work) / "naive.db")
        print(json.dumps({"naive": naive}, ensure_ascii=False))
    report = {
        "benchmark": "end-to-end ingest (one process, SQLite)",
        "command": "python -m bench.pipeline",
        "data": f"covid19_weibo_hashtag_posts, {len(posts)} posts",
        "schemes": 200,
        "plan": "county-four-level",
        "target_items_per_second": 5000,
        "yuqing": ours,
        "naive_baseline": naive,
        "speedup_over_naive": round(ours["items_per_second"] / naive["items_per_second"], 1),
        "machine": machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if args.posts is None and not args.postgresql:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "pipeline.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(f"written to {RESULTS / 'pipeline.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
