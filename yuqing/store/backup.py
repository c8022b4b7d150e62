"""Backups and restores of the whole database, and the proof that a restore is whole.

SQLite: the online backup API copies a consistent snapshot while the service runs. PostgreSQL:
pg_dump's custom format, restored with pg_restore. After a restore the audit chain is walked from
its first entry: a backup that lost or altered an entry is refused by `verify`.

The installation's secret key (settings.json in the data dir) is not in the backup: channel
secrets are sealed with it, so the operator keeps the two together, apart from the database.
"""

from __future__ import annotations

import glob
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url

from yuqing.audit.tables import AuditEntry
from yuqing.store.db import Database


class BackupError(RuntimeError):
    pass


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    raise BackupError(
        f"{name} not found: install postgresql-client (apt-get install postgresql-client)"
    )


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as libpq understands it (no +driver)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(path)


def backup(db: Database, out: Path) -> Path:
    """Write a consistent copy of the database to `out` (a .db file, or a pg_dump archive)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if db.dialect == "sqlite":
        source = sqlite3.connect(str(_sqlite_path(db.url)))
        target = sqlite3.connect(str(out))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return out
    done = subprocess.run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--file={out}",
            f"--dbname={_libpq(db.url)}",
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
    return out


def is_empty(db: Database) -> bool:
    """No tables, or only an empty schema: nothing a restore would overwrite."""
    tables = inspect(db.engine).get_table_names()
    if "audit_entry" not in tables:
        return True
    with db.read() as session:
        return session.execute(select(AuditEntry.id).limit(1)).first() is None


def restore(db: Database, archive: Path, force: bool = False) -> None:
    """Replace the database's content with the archive's. Refused over a database that holds
    records unless `force`: a restore must never silently destroy evidence."""
    if not archive.exists():
        raise BackupError(f"{archive}: no such file")
    if not force and not is_empty(db):
        raise BackupError(
            "the target database holds records; restore into a fresh one, or pass --force"
        )
    if db.dialect == "sqlite":
        db.dispose()
        with sqlite3.connect(str(archive)) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{archive}: not a sound SQLite database")
        source = sqlite3.connect(str(archive))
        target = sqlite3.connect(str(_sqlite_path(db.url)))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    done = subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            f"--dbname={_libpq(db.url)}",
            str(archive),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[-500:]}")
