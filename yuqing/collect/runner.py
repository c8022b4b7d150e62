"""Running collection: which sources are due, one run of a source, and the background loop.

A run stores its items first and only then advances the source's state (conditional-GET
validators, next due time), so a crash mid-run refetches and, intake being idempotent, stores
nothing twice. Failures back off exponentially; every run is logged for the health page.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import Select, or_, select, update

from yuqing.audit.log import Actor
from yuqing.collect import arrivals
from yuqing.collect.connectors import CONNECTORS, ConfigError, SourceSpec
from yuqing.collect.fetch import Fetcher, FetchError
from yuqing.collect.intake import IngestResult, Intake
from yuqing.collect.schema import ItemIn, describe
from yuqing.collect.tables import Item, Source, SourceRun
from yuqing.store.base import utcnow
from yuqing.store.db import Database

log = logging.getLogger("yuqing.collect")
MAX_BACKOFF = timedelta(hours=6)
NOTES_LIMIT = 4000


@dataclass
class RunResult:
    source_id: int
    key: str
    status: str  # ok | not_modified | error
    found: int = 0
    result: IngestResult = field(default_factory=IngestResult)
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.status == "error":
            return f"{self.key}: error: {self.error}"
        if self.status == "not_modified":
            return f"{self.key}: not modified"
        r = self.result
        return (
            f"{self.key}: {self.found} found, {r.created} new, {r.updated} updated, "
            f"{len(r.errors)} refused"
        )


def spec_of(source: Source) -> SourceSpec:
    return SourceSpec(
        id=source.id,
        key=source.key,
        kind=source.kind,
        config=dict(source.config or {}),
        allow_private=source.allow_private,
        respect_robots=source.respect_robots,
        etag=source.etag,
        last_modified=source.last_modified,
    )


def next_due(source: Source, now: datetime, failures: int) -> datetime:
    """The interval plus jitter; after failures, the interval doubled per failure (capped)."""
    base = timedelta(seconds=max(source.interval_seconds, 30))
    if failures:
        base = min(base * (2 ** min(failures, 10)), MAX_BACKOFF)
    jitter = random.uniform(0, max(source.jitter_seconds, 0))
    return now + base + timedelta(seconds=jitter)


def _due(now: datetime) -> Select[tuple[int]]:
    return (
        select(Source.id)
        .where(Source.enabled.is_(True), Source.kind.in_(tuple(CONNECTORS)))
        .where(or_(Source.next_due_at.is_(None), Source.next_due_at <= now))
    )


def _known_url(db: Database, source_id: int):  # type: ignore[no-untyped-def]
    def known(url: str) -> bool:
        with db.read() as session:
            return (
                session.execute(
                    select(Item.id).where(Item.source_id == source_id, Item.external_id == url)
                ).first()
                is not None
            )

    return known


def run_source(db: Database, source_id: int, fetcher: Fetcher, store: bool = True) -> RunResult:
    """Collect one source once. With store=False (the "test" button) nothing is written."""
    started = utcnow()
    with db.read() as session:
        source = session.get(Source, source_id)
        if source is None:
            raise ValueError(f"no source {source_id}")
        spec = spec_of(source)
    run = RunResult(source_id, spec.key, "ok")
    connector = CONNECTORS.get(spec.kind)
    items: list[tuple[int, ItemIn]] = []
    validators: tuple[str | None, str | None] = (spec.etag, spec.last_modified)
    try:
        if connector is None:
            raise ConfigError(f"{spec.kind} sources are not collected by pulling")
        harvest = connector.harvest(spec, fetcher, started, _known_url(db, spec.id))
        run.notes.extend(harvest.notes)
        validators = (harvest.etag, harvest.last_modified)
        run.status = "not_modified" if harvest.not_modified else "ok"
        run.found = len(harvest.items)
        for n, raw in enumerate(harvest.items, start=1):
            try:
                items.append((n, ItemIn.model_validate(raw)))
            except ValidationError as exc:
                run.result.errors.append((n, describe(exc)))
    except (FetchError, ConfigError) as exc:
        run.status, run.error = "error", str(exc)
    except Exception as exc:  # a connector bug must not stop the collector
        log.exception("collecting %s failed", spec.key)
        run.status, run.error = "error", f"internal error: {type(exc).__name__}: {exc}"
    if not store:
        run.result.created = len(items)
        return run
    if items:
        intake = Intake(
            db,
            Actor.system(),
            default_source=spec.key,
            source_kind=spec.kind,
            label=f"collect {spec.key}",
        )
        errors = run.result.errors
        run.result = intake.store(items)
        run.result.errors = errors + run.result.errors
    _finish(db, spec, run, started, validators)
    return run


def _finish(
    db: Database,
    spec: SourceSpec,
    run: RunResult,
    started: datetime,
    validators: tuple[str | None, str | None],
) -> None:
    now = utcnow()
    with db.write() as session:
        source = session.get(Source, spec.id)
        if source is None:
            return
        source.last_attempt_at = now
        if run.status == "error":
            source.failures += 1
            source.last_error, source.last_error_at = run.error, now
        else:
            source.failures = 0
            source.last_success_at = now
            source.etag, source.last_modified = validators
            if run.result.created:
                source.last_new_item_at = now
        source.next_due_at = next_due(source, now, source.failures)
        session.add(
            SourceRun(
                source_id=spec.id,
                started_at=started,
                finished_at=now,
                status=run.status,
                found=run.found,
                created=run.result.created,
                updated=run.result.updated,
                error=run.error,
                notes="\n".join(run.notes)[:NOTES_LIMIT] or None,
            )
        )


LEASE = timedelta(minutes=15)


def claim_due(db: Database, now: datetime, limit: int = 100) -> list[int]:
    """Take the due sources for this process, so that several collectors never run one twice.

    On PostgreSQL the rows another worker is claiming right now are skipped (`FOR UPDATE SKIP
    LOCKED`), not waited for; SQLite serialises writers anyway. The lease makes a source due
    again if its worker dies mid-run.
    """
    with db.write() as session:
        ids = list(
            session.execute(
                _due(now).order_by(Source.id).limit(limit).with_for_update(skip_locked=True)
            ).scalars()
        )
        if ids:
            session.execute(
                update(Source).where(Source.id.in_(ids)).values(next_due_at=now + LEASE)
            )
    return ids


def _run_all(db: Database, fetcher: Fetcher, ids: list[int], workers: int) -> list[RunResult]:
    if not ids:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(ids))) as pool:
        return list(pool.map(lambda i: run_source(db, i, fetcher), ids))


def collect_round(db: Database, fetcher: Fetcher, workers: int = 4) -> list[RunResult]:
    """Claim no more due sources than this process runs at once: with a backlog, the other
    workers take the rest instead of waiting behind one that claimed everything."""
    return _run_all(db, fetcher, claim_due(db, utcnow(), limit=workers), workers)


def collect_once(
    db: Database, fetcher: Fetcher, source_ids: list[int] | None = None, workers: int = 4
) -> list[RunResult]:
    """Run the given sources now, or round after round until none is due."""
    if source_ids is not None:
        return _run_all(db, fetcher, source_ids, workers)
    results: list[RunResult] = []
    while batch := collect_round(db, fetcher, workers):
        results.extend(batch)
    return results


class Collector:
    """The background loop inside `yuqing serve` or `yuqing worker`."""

    def __init__(
        self,
        db: Database,
        tick: float = 5.0,
        workers: int = 4,
        after: list[Callable[[], object]] | None = None,
    ) -> None:
        """`after`: later pipeline stages to run after each collection tick (events …)."""
        self.db = db
        self.after = after or []
        self.tick = tick
        self.workers = workers
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, name="yuqing-collector", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def request_stop(self) -> None:
        self.stop_event.set()
        arrivals.ARRIVED.set()

    def stop(self, timeout: float = 30.0) -> None:
        self.request_stop()
        self.thread.join(timeout)

    def run(self) -> None:
        """Collect at every tick (round after round while sources are due); run the later
        stages after each round, and as soon as items arrive."""
        fetcher = Fetcher()
        due = 0.0
        try:
            while not self.stop_event.is_set():
                arrivals.ARRIVED.clear()
                if time.monotonic() >= due:
                    due = time.monotonic() + self.tick
                    try:
                        results = collect_round(self.db, fetcher, self.workers)
                    except Exception:  # the database may be briefly away; try again next tick
                        log.exception("collector tick failed")
                        results = []
                    for result in results:
                        log.info("%s", result.summary())
                    if results:
                        due = 0.0  # more may be due: claim again right after the later stages
                for stage in self.after:
                    try:
                        stage()
                    except Exception:
                        log.exception("pipeline stage failed; it retries next tick")
                arrivals.ARRIVED.wait(max(due - time.monotonic(), 0))
        finally:
            fetcher.close()
