"""`yuqing replay`: a recorded stream through the whole pipeline on a simulated clock."""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from yuqing.cli_support import fail
from yuqing.plan.cli import read_plan


def replay(
    path: Annotated[Path, typer.Argument(exists=True, help="a .jsonl file or the CED folder")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl | ced")] = "jsonl",
    plan: Annotated[
        Path | None, typer.Option(help="plan file (default: the county template)")
    ] = None,
    out: Annotated[Path, typer.Option(help="timeline of decisions, JSON lines")] = Path(
        "timeline.jsonl"
    ),
    speed: Annotated[str, typer.Option(help="N (times real time) or max")] = "max",
    tick: Annotated[int, typer.Option(help="seconds of simulated time per step")] = 60,
    cascades: Annotated[int | None, typer.Option(help="ced: a reproducible sample of N")] = None,
    db_url: Annotated[str | None, typer.Option("--database", help="keep the run here")] = None,
) -> None:
    """Replay a recorded stream through the whole pipeline on a simulated clock."""
    from yuqing.audit.log import Actor
    from yuqing.plan.loader import PlanError
    from yuqing.plan.versions import save, templates
    from yuqing.replay.formats import choose, read_ced, read_jsonl
    from yuqing.replay.run import json_lines
    from yuqing.replay.run import replay as run_replay
    from yuqing.store.db import Database
    from yuqing.store.migrate import upgrade

    if speed != "max" and not speed.replace(".", "", 1).isdigit():
        raise fail(f"--speed {speed!r}: give a number or max")
    text = read_plan(plan) if plan else templates()["county-four-level"]
    if fmt == "ced":
        if not (path / "original_microblogs.jsonl").exists():
            raise fail(f"{path}: not the CED folder (original_microblogs.jsonl missing)")
        records, _ = read_ced(path, choose(path, cascades))
    elif fmt == "jsonl":
        records, bad = read_jsonl(path)
        for b in bad:
            typer.secho(f"{path}:{b.ref}: {b.error}", fg=typer.colors.YELLOW, err=True)
    else:
        raise fail(f"--format {fmt!r}: jsonl or ced")
    with tempfile.TemporaryDirectory() as tmp:
        url = db_url or f"sqlite:///{tmp}/replay.db"
        upgrade(url)
        db = Database(url)
        try:
            with db.write() as session:
                save(session, text, Actor.cli())
        except PlanError as exc:
            for p in exc.problems:
                typer.secho(f"{plan}:{p}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from exc
        started = time.perf_counter()
        with out.open("w", encoding="utf-8") as f:
            progress = run_replay(
                db,
                records,
                json_lines(f),
                tick=timedelta(seconds=tick),
                speed=None if speed == "max" else float(speed),
            )
        db.dispose()
    typer.echo(
        f"{progress.items} items in {progress.ticks} steps, {progress.events} events, "
        f"{progress.warnings} warning steps, {progress.errors} refused, "
        f"{time.perf_counter() - started:.1f}s → {out}"
    )
