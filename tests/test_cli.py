"""The `yuqing` command, end to end against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from yuqing.store.db import Database


def test_init_creates_settings_and_one_admin(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = run("init")
    assert code == 0, out
    assert (tmp_path / "var" / "settings.json").exists()
    secret = json.loads((tmp_path / "var" / "settings.json").read_text())["secret_key"]
    assert len(secret) >= 40
    assert re.search(r"one-time password: \S+", out)
    code, out = run("init")
    assert code == 0 and "users exist" in out
    code, out = run("user", "list")
    assert "admin" in out and "舆情办公室" in out


def test_import_reports_bad_lines_and_exits_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init")
    good = tmp_path / "ok.csv"
    good.write_bytes("id,text,reads\n1,某县政府回应群众关切,5\n2,第二条信息,7\n".encode("gbk"))
    code, out = run("import", str(good), "--source", "vendor")
    assert code == 0, out
    assert "2 created" in out and "gb18030" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "好"}\n{bad\n', encoding="utf-8")
    code, out = run("import", str(bad))
    assert code == 2
    assert "1 created" in out and "bad.jsonl: line 2: invalid JSON" in out
    code, out = run("import", str(tmp_path / "missing.jsonl"))
    assert code != 0


def test_import_settles_the_heap_once_the_models_are_loaded(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from yuqing import heap
    from yuqing.collect import intake

    steps: list[str] = []
    warm_up = intake.warm_up
    monkeypatch.setattr(intake, "warm_up", lambda db: (warm_up(db), steps.append("warm_up")))
    monkeypatch.setattr(heap, "settle", lambda: steps.append("settle"))
    run("init")
    feed = tmp_path / "one.jsonl"
    feed.write_text('{"id": "1", "text": "县医院门诊排队挂号难"}\n', encoding="utf-8")
    code, out = run("import", str(feed), "--source", "vendor")
    assert code == 0 and "1 created" in out, out
    assert steps == ["warm_up", "settle"]


def test_user_lifecycle_and_tokens(run) -> None:  # type: ignore[no-untyped-def]
    run("init")
    code, out = run(
        "user",
        "create",
        "zhang",
        "--role",
        "monitor",
        "--role",
        "office",
        "--department",
        "宣传部",
        "--name",
        "张三",
    )
    assert code == 0 and "one-time password" in out
    code, out = run("user", "create", "zhang", "--role", "monitor")
    assert code == 1 and "已存在" in out
    code, out = run("user", "create", "wu", "--role", "emperor")
    assert code == 1 and "unknown role" in out
    assert run("user", "disable", "zhang")[0] == 0
    assert "disabled" in run("user", "list")[1]
    assert run("user", "enable", "zhang")[0] == 0
    code, out = run("user", "reset-password", "zhang")
    assert code == 0 and "one-time password" in out
    code, out = run("token", "create", "crawler", "--user", "zhang", "--scope", "items.import")
    assert code == 0 and out.strip().startswith("yq_")
    code, out = run("token", "create", "x", "--user", "zhang", "--scope", "users.manage")
    assert code == 1


def test_audit_verify_names_the_first_broken_entry(run, db: Database) -> None:  # type: ignore[no-untyped-def]
    run("init")
    run("user", "create", "a", "--role", "viewer")
    code, out = run("audit", "verify")
    assert code == 0 and "intact" in out
    with db.write() as s:
        s.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE id = 2"))
    code, out = run("audit", "verify")
    assert code == 1 and "broken at entry 2" in out


def test_db_upgrade_is_idempotent(run) -> None:  # type: ignore[no-untyped-def]
    assert run("db", "upgrade")[0] == 0
    assert run("db", "upgrade")[0] == 0


def test_serve_refuses_a_taken_port(run) -> None:  # type: ignore[no-untyped-def]
    import socket

    run("init")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, out = run("serve", "--port", str(port))
    assert code == 1 and f"port {port}" in out and "already in use" in out
