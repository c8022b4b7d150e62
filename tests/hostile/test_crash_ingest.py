"""SIGKILL during ingest and during the events stage: after a restart (the same import run
again), every accepted item is stored exactly once and every item sits in exactly one event."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.heavy import scale
from yuqing.collect.tables import Item
from yuqing.events.tables import Event, EventItem
from yuqing.store.db import Database

ITEMS = scale(4000)
START = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)  # 08:00 in Beijing
STORIES = ["县医院门诊排队挂号难", "一中食堂饭菜发霉", "城区道路施工扬尘", "小区停水三天无人管"]


def _feed(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(ITEMS):
            story = STORIES[i % len(STORIES)]
            item = {
                "id": f"c{i}",
                "source": "微博",
                "text": f"{story}，网友第{i}条反映情况",
                "published_at": (START + timedelta(seconds=6 * i)).isoformat(),
            }
            if i >= len(STORIES):
                item["reply_to"] = f"c{i % len(STORIES)}"
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path


def _import(db: Database, feed: Path, tmp_path: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "YUQING_DATABASE_URL": db.url,
        "YUQING_DATA_DIR": str(tmp_path),
        "YUQING_SECRET_KEY": "crash-test-secret-key-" + "x" * 20,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "yuqing.cli", "import", str(feed)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _count(db: Database, stmt) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(stmt).scalar_one()


def test_killed_imports_lose_nothing_and_store_nothing_twice(db: Database, tmp_path: Path) -> None:
    feed = _feed(tmp_path / "feed.jsonl")
    items = select(func.count()).select_from(Item)
    placed = select(func.count()).select_from(EventItem)
    # 1. killed while storing items
    proc = _import(db, feed, tmp_path)
    deadline = time.monotonic() + 120
    while _count(db, items) == 0 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert _count(db, items) < ITEMS
    # 2. run again, killed while the events stage places them: all stored, the stage running
    proc = _import(db, feed, tmp_path)
    deadline = time.monotonic() + 120
    while _count(db, items) < ITEMS and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)  # the stage has begun: placing all and exiting takes it about 0.3 s
    assert proc.poll() is None, "the import ended before the events stage could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert _count(db, placed) in (0, ITEMS)  # one transaction: never half placed
    # 3. the restart finishes the work
    proc = _import(db, feed, tmp_path)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    assert _count(db, items) == ITEMS
    with db.read() as s:
        ids = s.execute(select(Item.external_id)).scalars().all()
        assert len(set(ids)) == ITEMS
        members = s.execute(select(EventItem.item_id)).scalars().all()
        assert len(members) == len(set(members)) == ITEMS  # each item in exactly one event
        sizes = s.execute(select(func.sum(Event.items)).where(Event.status == "open")).scalar_one()
    assert sizes == ITEMS
