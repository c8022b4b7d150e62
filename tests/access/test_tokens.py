from datetime import UTC, datetime, timedelta

import pytest

from yuqing.access import accounts, tokens
from yuqing.access.permissions import Permission
from yuqing.audit.log import Actor
from yuqing.store.db import Database

SYS = Actor.system()


def _owner(db: Database, *roles: str) -> None:
    with db.write() as s:
        accounts.create_user(s, accounts.NewUser("robot", roles=roles), SYS)


def test_token_is_hashed_and_scoped(db: Database) -> None:
    _owner(db, "monitor")
    with db.write() as s:
        row, raw = tokens.create_token(
            s, accounts.get_user(s, "robot"), "crawler", ["items.import"], SYS
        )
        assert raw.startswith("yq_") and row.token_hash != raw and raw.startswith(row.prefix)
    with db.read() as s:
        who = tokens.principal_for_token(s, raw)
    assert who is not None and who.token_name == "crawler"
    assert who.can(Permission.ITEMS_IMPORT) and not who.can(Permission.ITEMS_READ)
    with db.read() as s:
        assert tokens.principal_for_token(s, raw + "x") is None


def test_scopes_cannot_exceed_the_owner(db: Database) -> None:
    _owner(db, "viewer")
    with pytest.raises(tokens.TokenError, match="owner lacks"), db.write() as s:
        tokens.create_token(s, accounts.get_user(s, "robot"), "t", ["users.manage"], SYS)
    with pytest.raises(tokens.TokenError, match="unknown scope"), db.write() as s:
        tokens.create_token(s, accounts.get_user(s, "robot"), "t", ["root"], SYS)


def test_revoked_expired_and_disabled_owner_tokens_stop_working(db: Database) -> None:
    _owner(db, "monitor")
    with db.write() as s:
        accounts.create_user(s, accounts.NewUser("boss", roles=("admin",)), SYS)
        owner = accounts.get_user(s, "robot")
        a, raw_a = tokens.create_token(s, owner, "a", ["items.import"], SYS)
        _, raw_b = tokens.create_token(s, owner, "b", ["items.import"], SYS, expires_in_days=1)
        _, raw_c = tokens.create_token(s, owner, "c", ["items.import"], SYS)
        tokens.revoke_token(s, a.id, SYS)
    later = datetime.now(UTC) + timedelta(days=2)
    with db.read() as s:
        assert tokens.principal_for_token(s, raw_a) is None
        assert tokens.principal_for_token(s, raw_b) is not None
        assert tokens.principal_for_token(s, raw_b, now=later) is None
        assert tokens.principal_for_token(s, raw_c) is not None
    with db.write() as s:
        accounts.set_active(s, "robot", False, SYS)
    with db.read() as s:
        assert tokens.principal_for_token(s, raw_c) is None


def test_use_is_recorded_at_most_every_few_minutes(db: Database) -> None:
    _owner(db, "monitor")
    with db.write() as s:
        _, raw = tokens.create_token(s, accounts.get_user(s, "robot"), "t", ["items.import"], SYS)
    with db.read() as s:
        who = tokens.principal_for_token(s, raw)
    assert who is not None and tokens.needs_touch(who)
    with db.write() as s:
        tokens.touch(s, who.token_id)  # type: ignore[arg-type]
    with db.read() as s:
        who = tokens.principal_for_token(s, raw)
    assert who is not None and who.token_last_used is not None
    assert not tokens.needs_touch(who)
    assert tokens.needs_touch(who, now=who.token_last_used + timedelta(minutes=6))
