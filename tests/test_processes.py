"""The deployment of docs/deployment.md, as processes: `yuqing serve --workers 2 --no-worker`
beside one `yuqing worker` (its own systemd unit). The web workers keep nothing of their own (a
login started in one process is finished in the other; sessions and CSRF live in the database),
items pushed to either are placed in events by the separate worker, and its warning goes out
through the worker's notifier."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import func, select

from tests.conftest import add_user, login
from tests.hostile.test_crash_serve import _until
from tests.notify.servers import webhook
from tests.notify.test_delivery import KEY
from tests.pg import free_port
from yuqing.access import accounts, tokens
from yuqing.audit.log import Actor
from yuqing.collect.tables import Item
from yuqing.events.tables import EventItem
from yuqing.notify.admin import add_channel
from yuqing.plan.versions import save, templates
from yuqing.store.base import utcnow
from yuqing.store.db import Database


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def test_two_web_workers_and_a_worker_share_one_database(db: Database, tmp_path: Path) -> None:
    add_user(db, "office1", "office")
    with webhook() as hook:
        with db.write() as s:
            save(s, templates()["enterprise-three-level"], Actor.cli())
            add_channel(s, "值班群", "webhook", {"url": hook.url}, ["office"], Actor.cli(), KEY)
            _, token = tokens.create_token(
                s, accounts.get_user(s, "office1"), "push", ["items.import"], Actor.cli()
            )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = os.environ | {
            "YUQING_DATABASE_URL": db.url,
            "YUQING_DATA_DIR": str(tmp_path),
            "YUQING_SECRET_KEY": KEY,
            "YUQING_PUBLIC_URL": base,
            "YUQING_COLLECT_TICK_SECONDS": "0.5",
        }
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "yuqing.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--no-worker",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "yuqing.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _until(lambda: _answers(base), 60, "the web workers did not start")
            _until(lambda: len(_children(web.pid)) >= 2, 30, "uvicorn did not start 2 workers")
            # No keep-alive: every request is a new connection, to whichever process accepts it.
            fresh = httpx.Limits(max_keepalive_connections=0)
            with httpx.Client(base_url=base, limits=fresh, timeout=10) as client:
                login(client, "office1")  # type: ignore[arg-type]
                for _ in range(20):
                    page = client.get("/account")
                    assert page.status_code == 200 and "office1" in page.text
                item = {
                    "id": "w1",
                    "text": "县一中食堂饭菜发霉，多名学生腹泻就医",
                    "published_at": utcnow().isoformat(),
                    "metrics": {"comments": 230},
                }
                pushed = client.post(
                    "/api/v1/items",
                    json={"items": [item]},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert pushed.status_code == 200 and pushed.json()["created"] == 1, pushed.text
            placed = select(func.count()).select_from(EventItem)
            _until(lambda: _count(db, placed) == 1, 60, "the worker did not place the item")
            _until(
                lambda: any("县一中食堂" in b["title"] for _, b in hook.received),
                60,
                "the worker's notifier sent no warning",
            )
        finally:
            for proc in (worker, web):
                proc.terminate()
            for proc in (worker, web):
                proc.wait(30)
    out = web.stdout.read().decode() if web.stdout else ""
    assert "run `yuqing worker` beside this server" in out
    assert _count(db, select(func.count()).select_from(Item)) == 1


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _count(db: Database, stmt: object) -> int:
    with db.read() as s:
        return s.execute(stmt).scalar_one()  # type: ignore[call-overload]
