from datetime import timedelta

import pytest

from yuqing.access import accounts
from yuqing.access.login import (
    LoginPolicy,
    LoginRefused,
    authenticate,
    close_session,
    open_session,
    principal_for_session,
)
from yuqing.audit.log import Actor
from yuqing.store.db import Database

PW = "Good-password-9"
POLICY = LoginPolicy(max_failures=3, window=timedelta(minutes=15))


@pytest.fixture
def user(db: Database) -> str:
    with db.write() as s:
        accounts.create_user(
            s, accounts.NewUser("li.si", roles=("monitor",), password=PW), Actor.system()
        )
    return "li.si"


def _try_recorded(db: Database, username: str, password: str, ip: str = "10.0.0.1") -> str:
    with db.write() as s:
        try:
            authenticate(s, username, password, ip, POLICY)
            return "ok"
        except LoginRefused as exc:
            return exc.reason


def test_good_and_bad_passwords(db: Database, user: str) -> None:
    assert _try_recorded(db, user, PW) == "ok"
    assert _try_recorded(db, user, "nope") == "bad_password"
    assert _try_recorded(db, "nobody", PW) == "bad_password"


def test_repeated_failures_lock_the_account_for_the_window(db: Database, user: str) -> None:
    for _ in range(3):
        assert _try_recorded(db, user, "wrong") == "bad_password"
    assert _try_recorded(db, user, PW) == "throttled"
    assert _try_recorded(db, user, PW, ip="10.0.0.2") == "throttled"


def test_success_resets_the_count(db: Database, user: str) -> None:
    for _ in range(2):
        _try_recorded(db, user, "wrong")
    assert _try_recorded(db, user, PW) == "ok"
    for _ in range(2):
        _try_recorded(db, user, "wrong")
    assert _try_recorded(db, user, PW) == "ok"


def test_disabled_user_cannot_log_in(db: Database, user: str) -> None:
    with db.write() as s:
        accounts.create_user(s, accounts.NewUser("boss", roles=("admin",)), Actor.system())
        accounts.set_active(s, user, False, Actor.system())
    assert _try_recorded(db, user, PW) == "disabled"


def test_sessions_open_resolve_and_close(db: Database, user: str) -> None:
    with db.write() as s:
        u = authenticate(s, user, PW, None, POLICY)
        token = open_session(s, u, POLICY, "127.0.0.1", "pytest")
    with db.read() as s:
        who = principal_for_session(s, token)
    assert who and who.username == user and who.csrf_token
    assert who.roles == ("monitor",)
    with db.write() as s:
        close_session(s, token)
    with db.read() as s:
        assert principal_for_session(s, token) is None


def test_expired_session_is_refused(db: Database, user: str) -> None:
    short = LoginPolicy(session_length=timedelta(seconds=-1))
    with db.write() as s:
        u = authenticate(s, user, PW, None, short)
        token = open_session(s, u, short, None, None)
    with db.read() as s:
        assert principal_for_session(s, token) is None
