"""schemathesis against the OpenAPI description: requests generated from every operation's schema,
valid and not, sent with an admin's token, never answered with a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import add_user, login
from tests.heavy import SLOW, examples
from tests.report.test_reports import _handled
from yuqing.access.accounts import get_user
from yuqing.access.permissions import Permission
from yuqing.access.tokens import create_token
from yuqing.audit.log import Actor
from yuqing.store.db import Database


def test_no_operation_answers_with_a_server_error(app, db: Database) -> None:  # type: ignore[no-untyped-def]
    if db.dialect != "sqlite":
        pytest.skip("one backend is enough for fuzzing the request layer")
    _handled(db)
    add_user(db, "robot", "admin")
    with db.write() as s:
        _, token = create_token(
            s, get_user(s, "robot"), "fuzz", [p.value for p in Permission], Actor.cli()
        )
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    failures: list[str] = []
    for operation in operations:

        @settings(
            max_examples=examples(12),
            deadline=None,
            database=None,
            derandomize=not SLOW,  # the same requests in every run of `make test`
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}")

        run()
    assert not failures, failures[:10]


def test_an_id_beyond_the_database_range_is_the_callers_mistake(client, db: Database) -> None:  # type: ignore[no-untyped-def]
    add_user(db, "boss", "admin")
    login(client, "boss")
    huge = 2**63
    assert client.get(f"/api/v1/items/{huge}").status_code == 422
    assert client.get(f"/incidents/{huge}").status_code == 422
    assert client.get(f"/events/{huge}").status_code == 422
