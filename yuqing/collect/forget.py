"""Forgetting raw items when their retention time is over (the policy is yuqing/retention.py):
what of the collected items must stay, and taking items out of the store and the search index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yuqing.collect.tables import Evidence, Item
from yuqing.store import search


def must_keep(session: Session, item_ids: list[int], before: datetime) -> set[int]:
    """Items with evidence (取证 is never deleted), collected since the cutoff (an old post found
    today is new to us), or the first item of a story whose copies stay."""
    doomed = set(item_ids)
    evidence = session.execute(select(Evidence.item_id).where(Evidence.item_id.in_(item_ids)))
    recent = session.execute(
        select(Item.id).where(Item.id.in_(item_ids), Item.collected_at >= before)
    )
    copies = session.execute(
        select(Item.story_id, Item.id).where(Item.story_id.in_(item_ids))
    ).all()
    heads = {head for head, copy in copies if copy not in doomed}
    return set(evidence.scalars()) | set(recent.scalars()) | heads


def forget_items(session: Session, item_ids: list[int]) -> None:
    """Delete the items with their matches, sentiment, tags and engagement series (cascades)."""
    if not item_ids:
        return
    rows = session.execute(
        select(Item.id, Item.norm_title, Item.norm_text).where(Item.id.in_(item_ids))
    ).all()
    search.unindex_rows(session, ((i, f"{title} {body}") for i, title, body in rows))
    session.execute(delete(Item).where(Item.id.in_(item_ids)))
