"""Writing and verifying the hash chain.

Each entry's hash covers its own fields and the previous entry's hash, so altering, deleting or
reordering any row breaks the chain from that row on, and `verify` names the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from yuqing.audit.tables import AuditEntry, AuditHead
from yuqing.store.base import utcnow
from yuqing.store.bulk import insert_rows

GENESIS = "0" * 64
PENDING = "yuqing.audit.pending"  # session.info: (transaction, [(savepoint, fields)])


@dataclass(frozen=True)
class Actor:
    """Who did it: a person (by username), a machine token, the CLI or the system itself."""

    name: str
    kind: str = "user"  # user | token | cli | system

    @classmethod
    def system(cls) -> Actor:
        return cls("system", "system")

    @classmethod
    def cli(cls) -> Actor:
        return cls("cli", "cli")


def entry_hash(
    *,
    id: int,
    at: datetime,
    actor: str,
    actor_kind: str,
    action: str,
    entity: str,
    entity_id: str | None,
    summary: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    prev_hash: str,
) -> str:
    doc = {
        "id": id,
        "at": at.isoformat(),
        "actor": actor,
        "actor_kind": actor_kind,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "summary": summary,
        "before": before,
        "after": after,
        "prev": prev_hash,
    }
    raw = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object | None = None,
    *,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one entry in the caller's transaction, so it commits or rolls back with the change.

    The entry is chained when the transaction commits: the chain's head is one row every writer
    locks, and locked at the first entry it was held through all the transaction's other work —
    an events run grading for seconds, or a deadline sweep waiting for that run, kept every
    intake batch waiting behind them."""
    txn = session.get_transaction() or session.begin()
    pending = session.info.get(PENDING)
    if pending is None or pending[0] is not txn:
        pending = (txn, [])
        session.info[PENDING] = pending
    fields: dict[str, Any] = {
        "at": utcnow(),
        "actor": actor.name,
        "actor_kind": actor.kind,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "summary": summary,
        "before": before,
        "after": after,
    }
    pending[1].append((session.get_nested_transaction(), fields))


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    """Write the transaction's entries after all its other changes: the head is the last lock a
    transaction takes, so no writer holds it while waiting for another lock."""
    if session.get_nested_transaction() is not None:
        return  # a savepoint: its entries wait for the transaction's own commit
    pending = session.info.pop(PENDING, None)
    if pending is None or pending[0] is not session.get_transaction() or not pending[1]:
        return
    session.flush()
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    rows = []
    last_id, last_hash = head.last_id, head.last_hash
    for _, fields in pending[1]:
        last_id += 1
        row = {**fields, "id": last_id, "prev_hash": last_hash}
        last_hash = row["hash"] = entry_hash(**row)
        rows.append(row)
    insert_rows(session, AuditEntry.__table__, rows)
    head.last_id, head.last_hash = last_id, last_hash


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """Entries recorded under a savepoint that rolled back go with it; a whole transaction's
    rollback leaves them to be replaced by the next transaction's."""
    pending = session.info.get(PENDING)
    if pending is None or not previous.nested:
        return
    pending[1][:] = [(at, f) for at, f in pending[1] if not _within(at, previous)]


def _within(txn: SessionTransaction | None, savepoint: SessionTransaction) -> bool:
    while txn is not None:
        if txn is savepoint:
            return True
        txn = txn.parent
    return False


@dataclass
class Verification:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify(session: Session, batch: int = 5000) -> Verification:
    """Walk the chain in id order; stop at the first entry whose link or content does not hold."""
    prev = GENESIS
    expected_id = 1
    checked = 0
    last_id = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for e in rows:
            if e.id != expected_id:
                return Verification(False, checked, expected_id, f"entry {expected_id} is missing")
            if e.prev_hash != prev:
                return Verification(False, checked, e.id, "link to the previous entry is broken")
            digest = entry_hash(
                id=e.id,
                at=e.at,
                actor=e.actor,
                actor_kind=e.actor_kind,
                action=e.action,
                entity=e.entity,
                entity_id=e.entity_id,
                summary=e.summary,
                before=e.before,
                after=e.after,
                prev_hash=e.prev_hash,
            )
            if digest != e.hash:
                return Verification(False, checked, e.id, "content differs from its hash")
            prev = e.hash
            expected_id += 1
            checked += 1
            last_id = e.id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id != last_id or head.last_hash != prev):
        return Verification(False, checked, last_id + 1, "entries after the last one were removed")
    return Verification(True, checked)
