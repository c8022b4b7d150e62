"""Sources as intake sees them: found by key, created on first use by imports and pushes."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.collect.tables import Item, Source

KEY = re.compile(r"^[\w.\-:/@]{1,100}$")


class SourceError(ValueError):
    pass


def source_id(session: Session, key: str, kind: str, actor: Actor) -> int:
    """The id of the source with this key, creating it (kind file/push/manual) if new."""
    key = key.strip()
    if not KEY.match(key):
        raise SourceError(f"bad source key {key!r}: letters, digits and _ . - : / @ only")
    found = session.execute(select(Source.id).where(Source.key == key)).scalar_one_or_none()
    if found is not None:
        return found
    src = Source(key=key, name=key, kind=kind, config={})
    session.add(src)
    session.flush()
    record(
        session,
        actor,
        "source.create",
        "source",
        src.id,
        summary=key,
        after={"key": key, "kind": kind},
    )
    return src.id


def list_sources(session: Session) -> list[tuple[Source, int]]:
    """Every source with its number of stored items."""
    counts = select(Item.source_id, func.count().label("n")).group_by(Item.source_id).subquery()
    rows = session.execute(
        select(Source, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.source_id == Source.id)
        .order_by(Source.key)
    ).all()
    return [(s, int(n)) for s, n in rows]
