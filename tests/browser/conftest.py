"""A live server on loopback and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import PASSWORD, make_settings
from tests.judge.training_data import write_smp
from tests.pg import free_port
from yuqing.app import create_app
from yuqing.store.db import Database

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
def live_server(db: Database, tmp_path: Path) -> Iterator[str]:
    yield from _serve(db, tmp_path, collect=False)


@pytest.fixture
def live_server_training(db: Database, tmp_path: Path) -> Iterator[str]:
    """The server with small stand-ins for the training data, so a retraining takes seconds."""
    yield from _serve(db, tmp_path, collect=False, shared_data=write_smp(tmp_path / "shared"))


@pytest.fixture
def live_server_collecting(db: Database, tmp_path: Path) -> Iterator[str]:
    """The server with its collector running, looking for due sources twice a second."""
    yield from _serve(db, tmp_path, collect=True)


def _serve(db: Database, tmp_path: Path, collect: bool, **overrides: object) -> Iterator[str]:
    port = free_port()
    settings = make_settings(tmp_path, db, collect=collect, collect_tick_seconds=0.5, **overrides)
    app = create_app(settings, db)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    path = chromium_path()
    if path is None:
        if os.environ.get("YUQING_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (YUQING_REQUIRE_BROWSER) but not installed")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def logged_in(browser, base: str, username: str):  # type: ignore[no-untyped-def]
    """A page of a fresh browser context, logged in as `username` (one context per person)."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.goto(f"{base}/login")
    pg.fill("#username", username)
    pg.fill("#password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_load_state()
    return pg
