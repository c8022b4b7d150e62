"""`yuqing backup` and `yuqing restore`: restored into a fresh instance, the records are all there
and the audit chain verifies; a restore never overwrites a database holding records unasked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.report.test_reports import _handled
from yuqing.audit.log import verify
from yuqing.audit.tables import AuditEntry
from yuqing.incident.tables import Incident
from yuqing.store.backup import BackupError, backup, restore
from yuqing.store.db import Database


def _fresh_like(db: Database, tmp_path: Path) -> Database:
    """An empty database of the same kind: a new SQLite file, or a new PostgreSQL database."""
    if db.dialect == "sqlite":
        return Database(f"sqlite:///{tmp_path / 'restored.db'}")
    admin = create_engine(re.sub(r"/[^/]+$", "/postgres", db.url), isolation_level="AUTOCOMMIT")
    name = "restored_" + re.sub(r"\W", "", db.url.rsplit("/", 1)[1])[-40:]
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return Database(re.sub(r"/[^/]+$", f"/{name}", db.url))


def test_a_backup_restores_whole_into_a_fresh_instance(db: Database, tmp_path: Path) -> None:
    incident_id = _handled(db)
    with db.read() as s:
        entries = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    archive = backup(db, tmp_path / "yuqing.backup")
    assert archive.stat().st_size > 0
    fresh = _fresh_like(db, tmp_path)
    try:
        restore(fresh, archive)
        with fresh.read() as s:
            assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == entries
            assert s.get(Incident, incident_id).state == "archived"
            result = verify(s)
        assert result.ok and result.checked == entries
        with pytest.raises(BackupError, match="holds records"):
            restore(fresh, archive)  # it holds records now
        restore(fresh, archive, force=True)
    finally:
        fresh.dispose()
    with pytest.raises(BackupError, match="no such file"):
        restore(fresh, tmp_path / "missing.backup")


def test_backup_and_restore_commands(run, db: Database, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    if db.dialect != "sqlite":
        pytest.skip("the commands are the same on PostgreSQL; the function test covers pg_dump")
    _handled(db)
    code, out = run("backup", str(tmp_path / "b.db"))
    assert code == 0 and "backed up to" in out
    monkeypatch.setenv("YUQING_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    code, out = run("restore", str(tmp_path / "b.db"))
    assert code == 0 and "audit chain verified" in out
    code, out = run("restore", str(tmp_path / "b.db"))
    assert code == 1 and "holds records" in out
