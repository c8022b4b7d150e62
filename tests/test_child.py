"""`yuqing serve` and its child `yuqing worker`: the child does the pipeline's work, is started
again when it dies, and never outlives the service, even when the service is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import add_user
from tests.hostile.test_crash_serve import Service, _until
from yuqing import child
from yuqing.access import accounts, tokens
from yuqing.audit.log import Actor
from yuqing.child import WorkerChild
from yuqing.events.tables import EventItem
from yuqing.plan.versions import save, templates
from yuqing.store.base import utcnow
from yuqing.store.db import Database


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task")
    found: list[int] = []
    for task in path.iterdir() if path.exists() else []:
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_serve_runs_the_pipeline_in_a_child_that_ends_with_it(
    db: Database, tmp_path: Path, how: signal.Signals
) -> None:
    add_user(db, "office1", "office")
    with db.write() as s:
        save(s, templates()["enterprise-three-level"], Actor.cli())
        _, token = tokens.create_token(
            s, accounts.get_user(s, "office1"), "push", ["items.import"], Actor.cli()
        )
    service = Service(db, tmp_path)
    service.start()
    assert service.proc is not None
    try:
        workers = [p for p in _children(service.proc.pid) if " worker" in _cmdline(p)]
        assert len(workers) == 1, [_cmdline(p) for p in _children(service.proc.pid)]
        environ = Path(f"/proc/{workers[0]}/environ").read_bytes().split(b"\0")
        assert f"{child.PARENT}={service.proc.pid}".encode() in environ
        assert b"YUQING_COLLECT=false" not in environ  # serve's change is for its web processes
        text = "县一中食堂饭菜发霉，多名学生腹泻"
        item = {"id": "c1", "text": text, "published_at": utcnow().isoformat()}
        pushed = httpx.post(
            f"{service.url}/api/v1/items",
            json={"items": [item]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert pushed.status_code == 200 and pushed.json()["created"] == 1, pushed.text
        placed = select(func.count()).select_from(EventItem)
        _until(lambda: _count(db, placed) == 1, 30, "the child worker did not place the item")
        service.proc.send_signal(how)
        service.proc.wait(30)
        _until(lambda: not _alive(workers[0]), 10, f"the worker outlived `serve` ({how.name})")
    finally:
        service.stop()


def test_a_child_that_dies_is_started_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child, "FIRST_DELAY", 0.05)
    keeper = WorkerChild([sys.executable, "-c", "raise SystemExit(3)"])
    keeper.start()
    try:
        _until(lambda: keeper.starts >= 3, 10, "the child was not started again")
    finally:
        keeper.stop()
    assert keeper.proc is not None and keeper.proc.poll() is not None


def test_stop_kills_a_child_that_ignores_the_request() -> None:
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    keeper = WorkerChild([sys.executable, "-c", stubborn], stop_timeout=0.5)
    keeper.start()
    _until(lambda: keeper.proc is not None, 5, "the child did not start")
    time.sleep(0.3)  # let it install its handler
    keeper.stop()
    assert keeper.proc is not None and keeper.proc.returncode == -signal.SIGKILL
    assert keeper.starts == 1


def test_a_worker_whose_parent_is_gone_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(child.PARENT, str(os.getpid() + 1_000_000))
    script = "from yuqing.child import die_with_parent; die_with_parent()"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1 and "is gone" in done.stderr


def _count(db: Database, stmt: object) -> int:
    with db.read() as s:
        return s.execute(stmt).scalar_one()  # type: ignore[call-overload]
