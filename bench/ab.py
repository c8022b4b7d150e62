"""The end-to-end pipeline on an earlier revision and on this checkout, run by turns.

The host's speed swings by a fifth within an evening (docs/performance.md), more than most
changes to a hot path are worth, so a change is measured against the code before it in runs
that alternate (A B B A A B …), each in a fresh process, and judged by the ratio of the medians.
The earlier revision is checked out in a temporary git worktree, beside a link to ../shared,
and runs this checkout's bench/ (the same harness on both sides: only the product differs).
Also compares the events and warnings each made: a change meant to keep the results must give
the same counts.

    python -m bench.ab REV [--rounds 3] [--posts 100000] [--postgresql]
    (not part of `make bench`: it compares code, it does not measure the product)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import ROOT, machine


def order(rounds: int) -> list[str]:
    """A B, B A, A B …: each side runs first as often as the other, so a drift of the host's
    speed within a round weighs on both alike."""
    out: list[str] = []
    for r in range(rounds):
        out.extend(("base", "this") if r % 2 == 0 else ("this", "base"))
    return out


def run_once(tree: Path, posts: int, postgresql: bool = False) -> dict[str, Any]:
    """One pipeline run in a fresh process on the code of `tree`, with this Python."""
    extra = ["--postgresql"] if postgresql else []
    done = subprocess.run(
        [sys.executable, "-m", "bench.pipeline", "--posts", str(posts), "--naive", "10", *extra],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith('{"yuqing"'):
            result: dict[str, Any] = json.loads(line)["yuqing"]
            return result
    raise RuntimeError(f"bench.pipeline in {tree} failed:\n{done.stderr[-2000:]}")


def summary(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    med = {side: statistics.median(r["items_per_second"] for r in rs) for side, rs in runs.items()}
    same = {
        key: len({r[key] for rs in runs.values() for r in rs}) == 1
        for key in ("events", "warnings")
    }
    return {
        "items_per_second": {s: [r["items_per_second"] for r in rs] for s, rs in runs.items()},
        "median": med,
        "ratio": round(med["this"] / med["base"], 3),
        "same_results": same,
        "events": {side: rs[0]["events"] for side, rs in runs.items()},
        "warnings": {side: rs[0]["warnings"] for side, rs in runs.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", help="the earlier revision (a commit, a branch, HEAD~1)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--postgresql", action="store_true", help="the pipeline on PostgreSQL")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="yuqing-ab-") as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base), args.rev],
            check=True,
        )
        (Path(tmp) / "shared").symlink_to(ROOT.parent / "shared")
        try:
            shutil.rmtree(base / "bench")
            shutil.copytree(
                ROOT / "bench", base / "bench", ignore=shutil.ignore_patterns("results")
            )
            runs: dict[str, list[dict[str, Any]]] = {"base": [], "this": []}
            for side in order(args.rounds):
                result = run_once(base if side == "base" else ROOT, args.posts, args.postgresql)
                runs[side].append(result)
                print(f"{side:>4}: {result['items_per_second']} items/s", file=sys.stderr)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=True
            )
    out = {
        "base": args.rev,
        "posts": args.posts,
        "database": "postgresql" if args.postgresql else "sqlite",
        **summary(runs),
        "machine": machine(),
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
