"""Matching stored items against a new or changed scheme, so its results include what was
collected before it existed (bounded to a recent period)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from yuqing.collect.queries import judging_inputs
from yuqing.judge.admin import get_scheme
from yuqing.judge.apply import scheme_node
from yuqing.judge.matcher import SchemeSet
from yuqing.judge.tables import ItemMatch
from yuqing.store.base import utcnow
from yuqing.store.bulk import insert_rows
from yuqing.store.db import Database

BATCH = 2000


def rematch(db: Database, scheme_id: int, days: int = 30) -> int:
    """Match the last `days` of items against one scheme; the number of new matches."""
    since = utcnow() - timedelta(days=days)
    with db.read() as session:
        scheme = get_scheme(session, scheme_id)
        if not scheme.enabled:
            return 0
        compiled = SchemeSet({scheme_id: scheme_node(scheme)})
        known = set(
            session.execute(
                select(ItemMatch.item_id).where(ItemMatch.scheme_id == scheme_id)
            ).scalars()
        )
    added = 0
    after_id = 0
    while True:
        with db.read() as session:
            batch = judging_inputs(session, since, after_id, BATCH)
        if not batch:
            return added
        after_id = batch[-1][0]
        rows = [
            {
                "item_id": item_id,
                "scheme_id": scheme_id,
                "terms": list(m.terms),
                "matched_at": utcnow(),
            }
            for item_id, item in batch
            if item_id not in known
            for m in compiled.match(item)
        ]
        if rows:
            with db.write() as session:
                insert_rows(session, ItemMatch.__table__, rows)
            added += len(rows)
