"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, apps and clients."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests import pg
from yuqing import heap
from yuqing.access import accounts
from yuqing.app import create_app
from yuqing.audit.log import Actor
from yuqing.cli import app as cli_app
from yuqing.settings import Settings, get_settings
from yuqing.store.db import Database
from yuqing.store.migrate import upgrade

BACKENDS = ["sqlite", "postgresql"]
PASSWORD = "Test-password-1"
_counter = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg.Cluster | None]:
    bindir = pg.find_bin()
    if bindir is None:
        if os.environ.get("YUQING_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (YUQING_REQUIRE_POSTGRES) but initdb is missing")
        yield None
        return
    cluster = pg.Cluster(bindir)
    cluster.start()
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE yuqing_template"))
    admin.dispose()
    upgrade(cluster.url("yuqing_template"))
    yield cluster
    cluster.stop()


def fresh_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Database:
    if backend == "sqlite":
        path = tmp_path / "yuqing.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return Database(f"sqlite:///{path}")
    cluster: pg.Cluster | None = request.getfixturevalue("pg_cluster")
    if cluster is None:
        pytest.skip("PostgreSQL not installed (initdb not found)")
    label = re.sub(r"[^a-z0-9]", "", request.node.name.lower())[:30]
    name = f"t_{os.getpid()}_{next(_counter)}_{label}"
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE yuqing_template'))
    admin.dispose()
    return Database(cluster.url(name))


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    database = fresh_database(request, request.param, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    database = fresh_database(request, "sqlite", tmp_path)
    yield database
    database.dispose()


def make_settings(tmp_path: Path, db: Database, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "database_url": db.url,
        "secret_key": "test-secret-key-" + "x" * 32,
        "collect": False,
        "notify": False,
    }
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def app(db: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_app(make_settings(tmp_path, db), db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def add_user(
    db: Database, username: str, *roles: str, department: str | None = "舆情办公室"
) -> None:
    with db.write() as session:
        accounts.create_user(
            session,
            accounts.NewUser(
                username=username,
                roles=roles or ("viewer",),
                password=PASSWORD,
                department=department,
            ),
            Actor.system(),
        )
        user = accounts.get_user(session, username)
        user.must_change_password = False


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token read off a page."""
    page = client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token, page.text
    r = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "login_csrf": token.group(1),
            "next": "/account",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    page = client.get("/account")
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m, page.text
    return m.group(1)


@pytest.fixture
def run(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The `yuqing` command against this test's database: run("user", "list") → (code, out)."""
    monkeypatch.setenv("YUQING_DATABASE_URL", db.url)
    # --data-dir sets the variable; registering it here restores it after the test
    monkeypatch.setenv("YUQING_DATA_DIR", str(tmp_path / "var"))
    # `yuqing import` settles its process's heap; the test process's is left alone
    monkeypatch.setattr(heap, "settle", lambda: None)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        get_settings.cache_clear()
        result = runner.invoke(cli_app, ["--data-dir", str(tmp_path / "var"), *args])
        return result.exit_code, result.output

    yield invoke
    get_settings.cache_clear()
