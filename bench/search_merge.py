"""PostgreSQL search while autovacuum merges the search index's pending list, after a bulk load.

Fills a fresh store as bench/search_scale.py does, analyses it, then searches the ten rare words
every 5 s and prints their p50 beside what autovacuum is doing. `--pending` sets the index's
pending list (KiB, or `off` for no list) before the load, to compare with migration 0014's.
Not part of `make bench` (minutes per setting); docs/performance.md has its figures.

    python -m bench.search_merge [--items 300000] [--pending 4096|32768|off] [--seconds 60]
"""

from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy import text

from bench.search_scale import RARE, build, in_process, posts
from tests import pg
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade

INDEX = "ix_item_search_terms"
AUTOVACUUM = "SELECT query FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=300_000)
    parser.add_argument("--pending", default="4096", help="KiB, or off")
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args(argv)
    bindir = pg.find_bin()
    if bindir is None:
        print("bench: PostgreSQL is not installed", file=sys.stderr)
        return 1
    option = (
        "fastupdate = off"
        if args.pending == "off"
        else f"gin_pending_list_limit = {int(args.pending)}"
    )
    cluster = pg.Cluster(bindir)
    cluster.start()
    try:
        url = cluster.create_database("search")
        upgrade(url)
        db = Database(url)
        with db.write() as s:
            s.execute(text(f"ALTER INDEX {INDEX} SET ({option})"))
        seconds = build(db, args.items, posts())
        print(f"pending {args.pending}: bulk load of {args.items:,} items {seconds:.1f} s")
        with db.write() as s:
            s.execute(text("ANALYZE"))
        start = time.monotonic()
        while (at := time.monotonic() - start) < args.seconds:
            rare = in_process(db, RARE, rounds=1)
            with db.read() as s:
                doing = s.execute(text(AUTOVACUUM)).scalars()
                autovacuum = "; ".join(doing) or "-"
            print(f"{at:6.1f} s  rare p50 {rare['p50_ms']:6.1f} ms  autovacuum: {autovacuum}")
            time.sleep(5)
        db.dispose()
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
