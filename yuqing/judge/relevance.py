"""Monitors' verdicts on matched items, and exclude terms suggested from the irrelevant ones.

A word suggests itself as an exclude term when it is frequent in items marked irrelevant for a
scheme and rare in the items marked relevant (or not yet judged).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.collect.queries import texts_by_id
from yuqing.judge.tables import ItemMatch, ItemSentiment
from yuqing.store.base import utcnow
from yuqing.text.segment import cut

_STOP = """的 了 是 在 和 也 就 都 而 及 与 着 或 一个 没有 我们 你们 他们 这个 那个 什么 因为 所以
但是 如果 还是 已经 可以 自己 这样 那么 就是 不是"""
STOPWORDS = frozenset(_STOP.split())


def words(text: str) -> set[str]:
    return {
        w
        for w in cut(text)
        if len(w) >= 2 and w not in STOPWORDS and not w.isdigit() and any(c.isalnum() for c in w)
    }


def mark(
    session: Session, item_id: int, scheme_id: int, relevant: bool | None, actor: Actor
) -> bool:
    match = session.get(ItemMatch, (item_id, scheme_id))
    if match is None:
        return False
    before = match.relevant
    match.relevant = relevant
    match.judged_by = actor.name if relevant is not None else None
    record(
        session,
        actor,
        "item.relevance",
        "item",
        item_id,
        summary=f"scheme {scheme_id}: {relevant}",
        before={"relevant": before},
        after={"relevant": relevant},
    )
    return True


def suggest_excludes(session: Session, scheme_id: int, limit: int = 10) -> list[tuple[str, int]]:
    """(word, number of irrelevant items containing it), best first."""
    rows = session.execute(
        select(ItemMatch.item_id, ItemMatch.relevant).where(ItemMatch.scheme_id == scheme_id)
    ).all()
    bad = [r.item_id for r in rows if r.relevant is False]
    if not bad:
        return []
    good = [r.item_id for r in rows if r.relevant is not False][:2000]
    texts = texts_by_id(session, bad + good)
    bad_counts = Counter(w for i in bad for w in words(texts.get(i, "")))
    good_counts = Counter(w for i in good for w in words(texts.get(i, "")))
    scored = [
        (w, n)
        for w, n in bad_counts.items()
        if n >= max(2, len(bad) // 3) and good_counts[w] <= len(good) * 0.02
    ]
    return sorted(scored, key=lambda x: (-x[1], x[0]))[:limit]


SENTIMENTS = ("negative", "neutral", "positive")


def correct_sentiment(session: Session, item_id: int, label: str, actor: Actor) -> bool:
    """A person's sentiment for an item; it replaces the model's and is kept for retraining."""
    if label not in SENTIMENTS:
        raise ValueError(f"unknown sentiment {label!r}")
    row = session.get(ItemSentiment, item_id)
    if row is None:
        return False
    before = row.label
    row.label, row.score = label, 1.0
    row.corrected_by, row.corrected_at = actor.name, utcnow()
    record(
        session,
        actor,
        "item.sentiment",
        "item",
        item_id,
        summary=f"{before} → {label}",
        before={"label": before},
        after={"label": label},
    )
    return True


def correction_count(session: Session) -> int:
    """How many items' sentiment people corrected: what a retraining would learn."""
    return session.scalar(select(func.count()).where(ItemSentiment.corrected_by.is_not(None))) or 0


def corrections(session: Session) -> list[tuple[str, str]]:
    """(normalised text, polarity) of every item whose sentiment a person corrected."""
    rows = session.execute(
        select(ItemSentiment.item_id, ItemSentiment.label).where(
            ItemSentiment.corrected_by.is_not(None)
        )
    ).all()
    texts = texts_by_id(session, [i for i, _ in rows])
    return [(texts[i].strip(), label) for i, label in rows if texts.get(i, "").strip()]
