"""Search and memory at 1,000,000 stored items (issue targets: a 2-character query's first page in
p95 ≤ 50 ms on SQLite and PostgreSQL; the service's resident memory under 1 GB).

The store is filled with the 322,665 covid19_weibo_hashtag_posts three times over (then the first
ones again to reach the count), normalised and indexed exactly as intake does, but written in bulk
— this measures search, not intake (bench/pipeline.py measures that). Items arrive in time order,
as collection stores them. Then `yuqing serve` runs on that store, answers searches through the
API (`GET /api/v1/items?q=…`), and its resident memory is read from /proc.

    python -m bench.search_scale [--items N]   (part of `make bench`; bench/results/search.json)
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text

from bench.common import COVID_POSTS, RESULTS, machine
from tests import pg
from yuqing.access import accounts, tokens
from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.queries import ItemFilter, find_items
from yuqing.collect.schema import ItemIn
from yuqing.collect.tables import Item
from yuqing.store import search
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade
from yuqing.text.normalise import normalise

COMMON = ["武汉", "口罩", "医院", "疫情", "加油", "病例", "肺炎", "医生", "隔离", "物资"]
RARE = ["食堂", "拆迁", "地震", "校长", "欠薪", "塌方", "火灾", "城管", "学费", "车祸"]
SINGLE = list("疫武药猫雪桥税鹅坝琴")  # no target; common and rare alike
BATCH = 20_000
START = datetime(2025, 1, 1, tzinfo=UTC)
KEY = "bench-search-secret-key-" + "x" * 20


def posts() -> list[str]:
    with gzip.open(COVID_POSTS / "posts_2020-01-19_to_02-23.jsonl.gz", "rt", encoding="utf-8") as f:
        return [t for line in f if (t := json.loads(line)["text"]).strip()]


def build(db: Database, n: int, texts: list[str]) -> float:
    """n items in time order, one a minute apart on average; seconds spent."""
    started = time.perf_counter()
    Intake(db, Actor.cli(), "weibo", "file", "bench").store([(0, ItemIn(id="seed", text="种子"))])
    with db.read() as s:
        source_id = s.execute(text("SELECT id FROM source WHERE key = 'weibo'")).scalar_one()
    norms = [normalise(t) for t in texts]
    step = timedelta(minutes=1)
    for start in range(0, n, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, n)):
            k = i % len(texts)
            at = START + step * i
            rows.append(
                {
                    "source_id": source_id,
                    "external_id": f"b{i}",
                    "text": texts[k],
                    "norm_title": "",
                    "norm_text": norms[k],
                    "content_hash": hashlib.sha1(norms[k].encode()).hexdigest(),
                    "published_at": at,
                    "collected_at": at,
                    "sort_at": at,
                }
            )
        with db.write() as s:
            s.execute(insert(Item.__table__), rows)
            ids = s.execute(
                text("SELECT id, external_id FROM item WHERE id > :low ORDER BY id"),
                {"low": _max_id(s) - len(rows)},
            ).all()
            by_ext = {e: i for i, e in ids}
            search.index_rows(s, ((by_ext[r["external_id"]], f" {r['norm_text']}") for r in rows))
        print(f"  {min(start + BATCH, n):,} items", file=sys.stderr, flush=True)
    return time.perf_counter() - started


def _max_id(s: Any) -> int:
    return s.execute(text("SELECT max(id) FROM item")).scalar_one()


def in_process(db: Database, words: list[str], rounds: int = 3) -> dict[str, Any]:
    latencies: list[float] = []
    hits: dict[str, int] = {}
    with db.read() as s:
        for _ in range(rounds):
            for q in words:
                t0 = time.perf_counter()
                rows, _ = find_items(s, ItemFilter(q=q), 50)
                latencies.append((time.perf_counter() - t0) * 1000)
                hits[q] = len(rows)
    return _summary(latencies) | {"first_page_hits": hits}


def _summary(latencies: list[float]) -> dict[str, Any]:
    latencies = sorted(latencies)
    return {
        "queries": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[max(int(len(latencies) * 0.95) - 1, 0)], 1),
        "max_ms": round(latencies[-1], 1),
    }


def served(db: Database, url: str, data_dir: Path) -> dict[str, Any]:
    """Searches through a running `yuqing serve` on this store, and its resident memory."""
    with db.write() as s:
        user, _ = accounts.create_user(
            s, accounts.NewUser(username="bench", roles=("monitor",)), Actor.cli()
        )
        _, token = tokens.create_token(s, user, "bench", ["items.read"], Actor.cli())
    port = pg.free_port()
    env = {
        **os.environ,
        "YUQING_DATABASE_URL": url,
        "YUQING_DATA_DIR": str(data_dir),
        "YUQING_SECRET_KEY": KEY,
        "YUQING_COLLECT": "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "yuqing.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("yuqing serve did not start")
            time.sleep(0.2)
        latencies: list[float] = []
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            for _ in range(3):
                for q in COMMON + RARE:
                    t0 = time.perf_counter()
                    r = client.get(f"{base}/api/v1/items", params={"q": q, "limit": 50})
                    latencies.append((time.perf_counter() - t0) * 1000)
                    r.raise_for_status()
            client.get(f"{base}/api/v1/items", params={"limit": 50}).raise_for_status()
        rss = _rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)
    return {"http_search": _summary(latencies), "serve_rss_mib": rss}


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def bench_backend(name: str, url: str, n: int, texts: list[str], work: Path) -> dict[str, Any]:
    upgrade(url)
    db = Database(url)
    seconds = build(db, n, texts)
    if db.dialect == "postgresql":
        with db.write() as s:
            s.execute(text("ANALYZE"))
    result = {
        "backend": name,
        "items": n,
        "build_seconds": round(seconds, 1),
        "common_words": in_process(db, COMMON),
        "rare_words": in_process(db, RARE),
        "all": in_process(db, COMMON + RARE),
        "single_characters": in_process(db, SINGLE),
    }
    if db.dialect == "postgresql":
        with db.read() as s:
            size = "SELECT pg_relation_size('ix_item_search_terms')"
            result["search_index_mib"] = round(s.execute(text(size)).scalar_one() / 2**20)
    result |= served(db, url, work)
    if db.dialect == "sqlite":
        result["database_mib"] = round(Path(url.removeprefix("sqlite:///")).stat().st_size / 2**20)
    db.dispose()
    print(json.dumps(result, ensure_ascii=False))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    texts = posts()
    runs = []
    with tempfile.TemporaryDirectory(prefix="yuqing-search-") as tmp:
        work = Path(tmp)
        if args.backend in ("sqlite", "both"):
            url = f"sqlite:///{work / 'search.db'}"
            runs.append(bench_backend("sqlite", url, args.items, texts, work))
        bindir = pg.find_bin()
        if args.backend in ("postgresql", "both") and bindir is not None:
            cluster = pg.Cluster(bindir)
            cluster.start()
            try:
                url = cluster.create_database("search")
                runs.append(bench_backend("postgresql", url, args.items, texts, work))
            finally:
                cluster.stop()
    report = {
        "benchmark": "search and memory at scale",
        "command": "python -m bench.search_scale",
        "data": f"covid19_weibo_hashtag_posts repeated to {args.items:,} items",
        "target": {"search_p95_ms": 50, "serve_rss_mib": 1024},
        "runs": runs,
        "machine": machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if args.items >= 1_000_000 and args.backend == "both":
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "search.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
