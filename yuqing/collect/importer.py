"""`yuqing import FILE` and the console's import page: a file into storage, batch by batch.

Each batch commits on its own, so a failure late in a big file keeps what came before, and
importing the same file again stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from yuqing.audit.log import Actor
from yuqing.collect.files import UNITS, file_format, read_records
from yuqing.collect.intake import IngestResult, Intake
from yuqing.collect.schema import ItemIn, describe, unflatten
from yuqing.store import search
from yuqing.store.db import Database

BATCH = 1000
ANALYZE_AFTER = 10_000  # items stored by one import


@dataclass
class ImportReport:
    name: str
    format: str
    encoding: str
    unit: str
    records: int = 0
    result: IngestResult = field(default_factory=IngestResult)

    @property
    def errors(self) -> list[tuple[int, str]]:
        return sorted(self.result.errors)

    def lines(self, limit: int = 100) -> list[str]:
        out = [f"{self.name}: {self.unit} {ref}: {msg}" for ref, msg in self.errors[:limit]]
        if len(self.errors) > limit:
            out.append(f"… and {len(self.errors) - limit} more")
        return out


def import_bytes(
    db: Database,
    data: bytes,
    name: str,
    actor: Actor,
    source: str | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    fmt = file_format(Path(name), fmt)
    used, records = read_records(data, fmt, encoding)
    report = ImportReport(name=name, format=fmt, encoding=used, unit=UNITS[fmt])
    intake = Intake(
        db, actor, default_source=source or "import", source_kind="file", label=f"import {name}"
    )
    batch: list[tuple[int, ItemIn]] = []

    def flush() -> None:
        if batch:
            report.result.add(intake.store(batch))
            batch.clear()
            if progress:
                progress(report)

    for rec in records:
        report.records += 1
        if rec.data is None:
            report.result.errors.append((rec.ref, rec.error or "unreadable"))
            continue
        try:
            batch.append((rec.ref, ItemIn.model_validate(unflatten(rec.data))))
        except ValidationError as exc:
            report.result.errors.append((rec.ref, describe(exc)))
        if len(batch) >= BATCH:
            flush()
    flush()
    if report.result.created >= ANALYZE_AFTER:
        with db.write() as session:
            search.refresh_statistics(session)
    return report


def import_file(db: Database, path: Path, actor: Actor, **kwargs: object) -> ImportReport:
    return import_bytes(db, path.read_bytes(), path.name, actor, **kwargs)  # type: ignore[arg-type]
