"""Intake: validated items into storage, idempotently, in one transaction per batch.

The same (source, id) is stored once; seeing it again appends an engagement observation when
something new was observed, and never rewrites what was stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.collect import arrivals
from yuqing.collect.dedup import NearDupIndex, NewItem, assign_stories, index_for
from yuqing.collect.prepared import Batch, PreparedItem, judge_prepared, prepare_item
from yuqing.collect.schema import ItemIn
from yuqing.collect.sources import source_id
from yuqing.collect.tables import Item, ItemMetric, Source
from yuqing.judge.apply import Judgement, load_models, store_judgements
from yuqing.store import search
from yuqing.store.base import utcnow
from yuqing.store.bulk import insert_rows, update_rows
from yuqing.store.db import Database, one_of, reserve_ids

log = logging.getLogger("yuqing.collect")


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list, repr=False)

    def add(self, other: IngestResult) -> None:
        """Totals across batches (item ids are per batch: a big file would hold millions)."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class _Known:
    """What a batch needs to know of a stored item: its id and latest engagement."""

    id: int
    metrics: tuple[int, int, int, int] | None
    metrics_at: datetime | None
    new: bool = False
    queued: set[datetime] = field(default_factory=set)


def _stale(seen: tuple[int, ...], last: tuple[int, ...]) -> bool:
    """An undated observation that shows no increase tells nothing new (a re-import, a retry)."""
    return all(a <= b for a, b in zip(seen, last, strict=True))


def warm_up(db: Database) -> None:
    """Before a service takes its first batch: judging's models loaded, the near-duplicate index
    filled with the window's items."""
    load_models()
    index = index_for(db)
    try:
        with index.lock, db.read() as session:
            index.catch_up(session, utcnow())
    except SQLAlchemyError as exc:  # the first batch fills it then
        log.warning("near-duplicate index not filled at start: %s", exc)


class Intake:
    """Stores batches for one caller; remembers source ids across batches."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        default_source: str,
        source_kind: str,
        label: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`clock`: the time items are collected at (a replay's simulated clock)."""
        self.db = db
        self.clock = clock
        self.label = label
        self.actor = actor
        self.default_source = default_source
        self.source_kind = source_kind
        self._sources: dict[str, int] = {}

    def store(self, items: Sequence[tuple[int, ItemIn]]) -> IngestResult:
        """Store one batch in one transaction; retried when a concurrent writer got there first.

        Items are normalised and judged before the transaction, in this process's turn to write,
        so SQLite's write lock (the whole database's, which the events stage in a `yuqing worker`
        waits for) holds only the lookups and writes."""
        index = index_for(self.db)
        # One batch at a time queues for the turn, so the events stage's runs alternate with them.
        with index.lock, self.db.turn():
            batch = Batch(self.clock(), [ref for ref, _ in items])
            for ref, item in items:
                try:
                    batch.prepared.append(prepare_item(ref, item, self.default_source, batch.now))
                except ValueError as exc:
                    batch.errors.append((ref, str(exc)))
            batch.judged = self._judge_new(batch.prepared)
            for attempt in range(3):
                try:
                    with self.db.write() as session:
                        try:
                            return self._store(session, batch, index)
                        except BaseException:
                            index.reset()  # it may hold items of the batch being rolled back
                            raise
                except IntegrityError:
                    self._sources.clear()
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

    def _judge_new(self, prepared: list[PreparedItem]) -> dict[tuple[str, str], Judgement]:
        """Items not stored yet, judged outside the write transaction (an item someone stores
        meanwhile is judged for nothing; one this misses is judged inside)."""
        first: dict[tuple[str, str], PreparedItem] = {}
        for p in prepared:
            first.setdefault(p.name, p)
        if not first:
            return {}
        with self.db.read() as session:
            self._known_sources(session, {source for source, _ in first})
            cached = [
                (self._sources[source], external_id)
                for source, external_id in first
                if source in self._sources
            ]
            stored = set(self._existing(session, cached))
            new = [
                p
                for (source, external_id), p in first.items()
                if (self._sources.get(source), external_id) not in stored
            ]
            return judge_prepared(session, new)

    def _known_sources(self, session: Session, keys: set[str]) -> None:
        """Remember the ids of sources already stored (the API's intake lives for one request,
        so without this every batch would be judged as new, engagement updates included)."""
        wanted = {key.strip(): key for key in keys - self._sources.keys()}
        if wanted:
            found = session.execute(select(Source.key, Source.id).where(Source.key.in_(wanted)))
            self._sources.update((wanted[key], source_id) for key, source_id in found)

    def _source(self, session: Session, key: str) -> int:
        if key not in self._sources:
            self._sources[key] = source_id(session, key, self.source_kind, self.actor)
        return self._sources[key]

    def _store(self, session: Session, batch: Batch, index: NearDupIndex) -> IngestResult:
        result = IngestResult(errors=list(batch.errors))
        now = batch.now
        latest: dict[tuple[int, str], PreparedItem] = {}
        observations: list[tuple[tuple[int, str], PreparedItem]] = []
        implicit: dict[tuple[int, str], PreparedItem] = {}
        for p in batch.prepared:
            try:
                key = (self._source(session, p.source_key), p.external_id)
            except ValueError as exc:
                result.errors.append((p.ref, str(exc)))
                continue
            latest.setdefault(key, p)
            if p.observed_at is None:
                if key in implicit:  # a later line of the batch supersedes an earlier one
                    result.unchanged += 1
                implicit[key] = p
            else:
                observations.append((key, p))
        result.errors.sort(key=lambda e: e[0])
        if not latest:
            return result
        observations.sort(key=lambda o: o[1].observed_at)  # type: ignore[arg-type,return-value]
        observations.extend(implicit.items())
        existing = self._existing(session, list(latest))
        new_keys = [k for k in latest if k not in existing]
        if new_keys:
            index.catch_up(session, now)
            ids = reserve_ids(session, Item.__table__, len(new_keys))
            for k, item_id in zip(new_keys, ids, strict=True):
                existing[k] = _Known(item_id, None, None, new=True)
            judged = self._judged(session, [latest[k] for k in new_keys], batch.judged)
            stories = self._stories(session, new_keys, latest, existing, index, now)
            self._insert(session, new_keys, latest, existing, stories)
            store_judgements(
                session,
                [(existing[k].id, j) for k, j in zip(new_keys, judged, strict=True)],
                now,
            )
        metric_rows: list[dict[str, Any]] = []
        item_updates: dict[int, dict[str, Any]] = {}
        created: set[tuple[int, str]] = set()
        for key, p in observations:
            known = existing[key]
            changed = self._observe(session, known, p, now, metric_rows, item_updates)
            if known.new and key not in created:
                created.add(key)
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
        if metric_rows:
            insert_rows(session, ItemMetric.__table__, metric_rows)
        if item_updates:
            update_rows(session, Item.__table__, list(item_updates.values()))
        result.item_ids = [existing[k].id for k in latest]
        if result.created or result.updated:
            arrivals.mark(session)
            refs = batch.refs
            record(
                session,
                self.actor,
                "items.ingest",
                "item",
                None,
                summary=f"{self.label} [{min(refs)}–{max(refs)}]: created {result.created}, "
                f"updated {result.updated}, unchanged {result.unchanged}",
                after={
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "errors": len(result.errors),
                },
            )
        return result

    @staticmethod
    def _insert(
        session: Session,
        keys: list[tuple[int, str]],
        latest: dict[tuple[int, str], PreparedItem],
        existing: dict[tuple[int, str], _Known],
        stories: dict[int, int],
    ) -> None:
        """The new items with their reserved ids and stories in one executemany (RETURNING in
        parameter order would make SQLite insert row by row), and their search index rows."""
        rows = [
            {
                **latest[k].row,
                "id": existing[k].id,
                "source_id": k[0],
                "story_id": stories.get(existing[k].id),
            }
            for k in keys
        ]
        insert_rows(session, Item.__table__, rows)
        search.index_rows(
            session,
            (
                (existing[k].id, f"{latest[k].row['norm_title']} {latest[k].row['norm_text']}")
                for k in keys
            ),
        )

    @staticmethod
    def _judged(
        session: Session, new: list[PreparedItem], before: dict[tuple[str, str], Judgement]
    ) -> list[Judgement]:
        missed = [p for p in new if p.name not in before]
        if missed:
            before = before | judge_prepared(session, missed)
        return [before[p.name] for p in new]

    @staticmethod
    def _stories(
        session: Session,
        keys: list[tuple[int, str]],
        latest: dict[tuple[int, str], PreparedItem],
        existing: dict[tuple[int, str], _Known],
        index: NearDupIndex,
        now: datetime,
    ) -> dict[int, int]:
        """The story of each new item that copies an earlier one, before the items are stored."""
        batch = [
            NewItem(
                existing[k].id,
                f"{latest[k].row['norm_title']} {latest[k].row['norm_text']}",
                latest[k].row["canonical_url"],
                latest[k].row["content_hash"],
            )
            for k in keys
        ]
        return assign_stories(session, index, batch, now)

    @staticmethod
    def _existing(session: Session, keys: list[tuple[int, str]]) -> dict[tuple[int, str], _Known]:
        out: dict[tuple[int, str], _Known] = {}
        wanted = set(keys)
        ids = sorted({external_id for _, external_id in keys})
        dialect = session.get_bind().dialect.name
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(
                    Item.id,
                    Item.source_id,
                    Item.external_id,
                    Item.reads,
                    Item.comments,
                    Item.reposts,
                    Item.likes,
                    Item.metrics_at,
                ).where(one_of(Item.external_id, ids[start : start + 500], dialect))
            ).all()
            for r in rows:
                key = (r.source_id, r.external_id)
                if key in wanted:
                    metrics = (r.reads, r.comments, r.reposts, r.likes) if r.metrics_at else None
                    out[key] = _Known(r.id, metrics, r.metrics_at)
        return out

    @staticmethod
    def _observe(
        session: Session,
        known: _Known,
        p: PreparedItem,
        now: datetime,
        metric_rows: list[dict[str, Any]],
        item_updates: dict[int, dict[str, Any]],
    ) -> bool:
        """Queue an engagement observation if it tells something new; True if it does."""
        if p.metrics is None:
            return False
        at = p.observed_at or now
        last_at = known.metrics_at
        if at in known.queued:
            return False
        if last_at is not None and known.metrics is not None:
            if at == last_at or (p.observed_at is None and _stale(p.metrics, known.metrics)):
                return False
            if (
                at < last_at
                and session.execute(
                    select(ItemMetric.id).where(
                        ItemMetric.item_id == known.id, ItemMetric.observed_at == at
                    )
                ).first()
            ):
                return False
        values = dict(zip(("reads", "comments", "reposts", "likes"), p.metrics, strict=True))
        metric_rows.append({"item_id": known.id, "observed_at": at, **values})
        known.queued.add(at)
        if last_at is None or at > last_at:
            item_updates[known.id] = {"id": known.id, "metrics_at": at, **values}
            known.metrics, known.metrics_at = p.metrics, at
        return True
