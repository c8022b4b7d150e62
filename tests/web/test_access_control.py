"""Every route declares a permission, and every role is allowed or refused exactly as declared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.conftest import add_user, login, make_settings
from yuqing.access.permissions import ROLE_PERMISSIONS, ROLES, Permission
from yuqing.app import create_app
from yuqing.store.db import Database

PUBLIC = {"/", "/login", "/lang/{code}", "/healthz", "/api/docs", "/ack/{token}"}
PARAMS = {
    "username": "nobody",
    "token_id": "999999",
    "item_id": "999999",
    "source_id": "999999",
    "scheme_id": "999999",
    "action": "disable",
    "code": "en",
    "event_id": "999999",
    "warning_id": "999999",
    "version_id": "999999",
    "drill_id": "999999",
    "channel_id": "999999",
    "message_id": "999999",
    "incident_id": "999999",
    "task_id": "999999",
    "statement_id": "999999",
    "deadline_id": "999999",
    "action_id": "999999",
    "step": "submit",
    "report_id": "999999",
    "fmt": "docx",
    "evidence_id": "999999",
    "name": "page.html",
}


@pytest.fixture
def app(db: Database, tmp_path: Path) -> FastAPI:
    """Without training data: the sentiment model's retraining, asked with each role, refuses
    (409) instead of training for minutes."""
    return create_app(make_settings(tmp_path, db, shared_data=tmp_path / "no-data"), db)


def api_routes(routes: list) -> list[APIRoute]:
    """Every APIRoute, looking inside included routers (FastAPI wraps them lazily)."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out.extend(api_routes(route.original_router.routes))
        elif hasattr(route, "routes"):
            out.extend(api_routes(route.routes))
    return out


def guarded_routes(app: FastAPI) -> list[tuple[str, str, Permission]]:
    out = []
    for route in api_routes(app.routes):
        if route.path in PUBLIC:
            continue
        perms = [getattr(d.call, "permission", None) for d in route.dependant.dependencies]
        perms = [p for p in perms if p is not None]
        assert len(perms) == 1, f"{route.path} must declare exactly one permission, has {perms}"
        for method in sorted(route.methods):
            path = re.sub(r"{(\w+)}", lambda m: PARAMS[m.group(1)], route.path)
            out.append((method, path, perms[0]))
    # Logging out ends the session the walk runs on: do it last.
    return sorted(out, key=lambda r: r[1] == "/logout")


def test_every_route_declares_one_permission(app: FastAPI) -> None:
    routes = guarded_routes(app)
    assert len(routes) >= 15
    declared = {p for _, _, p in routes}
    assert declared == set(Permission), "a permission no route uses is dead weight"


def test_anonymous_callers_are_sent_to_login_or_refused(app: FastAPI, client: TestClient) -> None:
    for method, path, _ in guarded_routes(app):
        r = client.request(method, path, follow_redirects=False)
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, path)
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), (
                method,
                path,
            )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_permissions(
    role: str, app: FastAPI, client: TestClient, db: Database
) -> None:
    add_user(db, f"user_{role}", role)
    csrf = login(client, f"user_{role}")
    allowed = ROLE_PERMISSIONS[role]
    for method, path, perm in guarded_routes(app):
        r = client.request(method, path, headers={"X-CSRF-Token": csrf}, follow_redirects=False)
        if perm in allowed:
            assert r.status_code != 403, (role, method, path, r.text[:200])
            assert not r.headers.get("location", "").startswith("/login?next="), (
                role,
                method,
                path,
            )
        else:
            assert r.status_code == 403, (role, method, path, r.status_code)


def test_state_changes_without_csrf_token_are_refused(client: TestClient, db: Database) -> None:
    add_user(db, "boss", "admin")
    login(client, "boss")
    r = client.post("/admin/users", data={"username": "evil", "roles": "admin"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post(
        "/admin/users", data={"username": "evil", "roles": "admin", "csrf_token": "forged"}
    )
    assert r.status_code == 403
    assert "evil" not in client.get("/admin/users").text
