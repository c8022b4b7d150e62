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

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.audit.tables import AuditEntry, AuditHead
from yuqing.store.base import utcnow

GENESIS = "0" * 64
HEAD = "yuqing.audit.head"


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
) -> AuditEntry:
    """Append one entry in the caller's transaction, so it commits or rolls back with the change.
    The entry is written with the transaction's next flush (a run that records hundreds of
    entries writes them in one statement)."""
    head = _head(session)
    fields: dict[str, Any] = {
        "id": head.last_id + 1,
        "at": utcnow(),
        "actor": actor.name,
        "actor_kind": actor.kind,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "summary": summary,
        "before": before,
        "after": after,
        "prev_hash": head.last_hash,
    }
    digest = entry_hash(**fields)
    entry = AuditEntry(**fields, hash=digest)
    session.add(entry)
    head.last_id = entry.id
    head.last_hash = digest
    return entry


def _head(session: Session) -> AuditHead:
    """The chain's head, locked once per transaction: the lock holds until the transaction ends,
    so within it the head in memory stays the truth (a rolled-back savepoint expires it)."""
    held = session.info.get(HEAD)
    if held is not None and held[0] is session.get_transaction():
        return held[1]
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    session.info[HEAD] = (session.get_transaction(), head)
    return head


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
