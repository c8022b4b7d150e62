"""`make bench`: measured figures on the real data in ../shared/data, written to bench/results/.

Item intake (import of 100,000 real Weibo posts from JSON Lines, then the same file again,
which must store nothing twice) and 1–2 character search over what was imported, on SQLite and,
when Debian's PostgreSQL is installed, on a throwaway PostgreSQL cluster; then near-duplicate
grouping quality (bench/dedup_eval.py), scheme matching speed (bench/schemes.py), the judging
stage's throughput (bench/judging.py), early warning on CED cascades (bench/ced_warnings.py),
event clustering quality (bench/clustering.py), drill alert latency (bench/alert_latency.py),
alert latency with 1,000 items/s arriving (bench/alert_load.py), the end-to-end pipeline against
a naive baseline (bench/pipeline.py), search and memory at 1,000,000 items
(bench/search_scale.py) and `yuqing worker` processes sharing PostgreSQL (bench/workers.py).
Each part runs in a process of its own, so that its memory and timings are its own.

    python -m bench.run [--only PART ...]   (`make bench` runs every part, about 90 minutes)
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import (
    alert_latency,
    alert_load,
    ced_warnings,
    clustering,
    dedup_eval,
    judging,
    pipeline,
    schemes,
    search_scale,
    workers,
)
from bench.common import COVID_POSTS, RESULTS, ROOT, machine
from tests import pg
from yuqing import heap
from yuqing.audit.log import Actor
from yuqing.collect.importer import import_file
from yuqing.collect.intake import warm_up
from yuqing.collect.queries import ItemFilter, find_items
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade

DATA = COVID_POSTS
QUERIES = [
    "武汉",
    "口罩",
    "医院",
    "疫情",
    "加油",
    "病例",
    "肺炎",
    "医生",
    "隔离",
    "物资",
    "湖北",
    "确诊",
    "护士",
    "春节",
    "新闻",
    "谣言",
    "感染",
    "发热",
    "药",
    "捐",
]


def write_items(n: int, out: Path) -> int:
    """The first n posts in the item schema; user ids are left out on purpose."""
    written = 0
    with (
        gzip.open(DATA / "posts_2020-01-19_to_02-23.jsonl.gz", "rt", encoding="utf-8") as src,
        out.open("w", encoding="utf-8") as dst,
    ):
        for number, line in enumerate(src, start=1):
            post = json.loads(line)
            item = {
                "id": str(number),
                "source": "weibo-covid19",
                "text": post["text"],
                "published_at": f"{post['date']} 12:00",
            }
            dst.write(json.dumps(item, ensure_ascii=False) + "\n")
            written += 1
            if written >= n:
                break
    return written


def bench_backend(name: str, url: str, path: Path, n: int) -> dict[str, Any]:
    upgrade(url)
    db = Database(url)
    warm_up(db)  # as `yuqing import` starts: models loaded, heap settled
    heap.settle()
    started = time.perf_counter()
    first = import_file(db, path, Actor.cli())
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = import_file(db, path, Actor.cli())
    again_s = time.perf_counter() - started
    refused = len(first.errors)  # real posts with no text at all are refused, as they should be
    assert first.result.created + refused == n, first.result
    assert again.result.created == 0 and again.result.unchanged == n - refused
    latencies: list[float] = []
    hits: dict[str, int] = {}
    with db.read() as session:
        for q in QUERIES * 3:
            t0 = time.perf_counter()
            rows, _ = find_items(session, ItemFilter(q=q), 50)
            latencies.append((time.perf_counter() - t0) * 1000)
            hits[q] = len(rows)
    db.dispose()
    latencies.sort()
    result = {
        "backend": name,
        "items": n,
        "refused": refused,
        "import_seconds": round(first_s, 2),
        "import_items_per_second": round(n / first_s),
        "reimport_seconds": round(again_s, 2),
        "reimport_items_per_second": round(n / again_s),
        "search_first_page_ms": {
            "queries": len(latencies),
            "p50": round(statistics.median(latencies), 2),
            "p95": round(latencies[int(len(latencies) * 0.95) - 1], 2),
            "max": round(latencies[-1], 2),
        },
    }
    print(json.dumps(result, ensure_ascii=False))
    return result


def intake(items: int) -> int:
    """Import `items` posts from JSON Lines and again, then search them, on both backends."""
    work = Path(tempfile.mkdtemp(prefix="yuqing-bench-"))
    try:
        path = work / "items.jsonl"
        n = write_items(items, path)
        runs = [bench_backend("sqlite", f"sqlite:///{work / 'bench.db'}", path, n)]
        bindir = pg.find_bin()
        if bindir is not None:
            cluster = pg.Cluster(bindir)
            cluster.start()
            try:
                url = cluster.create_database("bench")
                runs.append(bench_backend("postgresql", url, path, n))
            finally:
                cluster.stop()
        report = {
            "benchmark": "intake",
            "data": f"covid19_weibo_hashtag_posts (first {n} posts)",
            "machine": machine(),
            "git": _git(),
            "runs": runs,
            "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "intake.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        )
        print(f"written to {RESULTS / 'intake.json'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main() -> int:
    parts: dict[str, Callable[[], int]] = {
        "intake": lambda: intake(args.items),
        "dedup": dedup_eval.main,
        "schemes": schemes.main,
        "judging": lambda: judging.main([]),
        "ced_warnings": lambda: ced_warnings.main([]),
        "clustering": lambda: clustering.main([]),
        "alert_latency": lambda: alert_latency.main([]),
        "alert_load": lambda: alert_load.main([]),
        "pipeline": lambda: pipeline.main([]),
        "search_scale": lambda: search_scale.main([]),
        "workers": lambda: workers.main([]),
    }
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000, help="posts for the intake part")
    parser.add_argument("--only", nargs="+", choices=parts, help="run these parts (default: all)")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"bench: {DATA} is absent; the benchmarks need ../shared/data", file=sys.stderr)
        return 1
    names = args.only or list(parts)
    if len(names) == 1:
        return parts[names[0]]()
    for name in names:
        print(f"== bench: {name}", flush=True)
        if code := _alone(name, args.items):
            return code
    return 0


def _alone(name: str, items: int) -> int:
    """One part in a process of its own: a part's peak memory (ru_maxrss) and its heap are its
    own, not what the parts before it left behind (the pipeline's 982 MiB of 2026-12-07 were
    mostly the earlier parts' leavings; alone it peaks at about 650 MiB)."""
    command = [sys.executable, "-m", "bench.run", "--only", name, "--items", str(items)]
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def _git() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


if __name__ == "__main__":
    sys.exit(main())
