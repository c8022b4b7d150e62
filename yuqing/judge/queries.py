"""What other stages may ask of judging: which items match a scheme, and how."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from yuqing.judge.tables import ItemMatch, ItemSentiment, ItemTags, Scheme
from yuqing.store.db import among_ids, id_chunks


@dataclass(frozen=True)
class MatchView:
    scheme_id: int
    scheme: str
    terms: tuple[str, ...]
    relevant: bool | None


def items_matching(scheme_id: int, relevant: bool | None = None) -> Select[tuple[int]]:
    """Ids of the items that match a scheme (optionally only those judged so)."""
    stmt = select(ItemMatch.item_id).where(ItemMatch.scheme_id == scheme_id)
    if relevant is not None:
        stmt = stmt.where(ItemMatch.relevant.is_(relevant))
    return stmt


def matches_of(session: Session, item_ids: list[int]) -> dict[int, list[MatchView]]:
    out: dict[int, list[MatchView]] = {}
    if not item_ids:
        return out
    rows = session.execute(
        select(ItemMatch, Scheme.name)
        .join(Scheme, Scheme.id == ItemMatch.scheme_id)
        .where(ItemMatch.item_id.in_(item_ids))
        .order_by(Scheme.name)
    ).all()
    for m, name in rows:
        out.setdefault(m.item_id, []).append(
            MatchView(m.scheme_id, name, tuple(m.terms or []), m.relevant)
        )
    return out


def scheme_names(session: Session) -> list[tuple[int, str]]:
    return [tuple(r) for r in session.execute(select(Scheme.id, Scheme.name).order_by(Scheme.name))]  # type: ignore[misc]


@dataclass(frozen=True)
class SentimentView:
    label: str
    score: float
    emotion: str | None
    corrected_by: str | None
    model_label: str


def sentiments_of(session: Session, item_ids: list[int]) -> dict[int, SentimentView]:
    if not item_ids:
        return {}
    rows = session.execute(select(ItemSentiment).where(ItemSentiment.item_id.in_(item_ids)))
    return {
        r.item_id: SentimentView(r.label, r.score, r.emotion, r.corrected_by, r.model_label)
        for r in rows.scalars()
    }


def items_with_sentiment(label: str) -> Select[tuple[int]]:
    return select(ItemSentiment.item_id).where(ItemSentiment.label == label)


@dataclass(frozen=True)
class TagsView:
    category: str
    category_terms: tuple[str, ...]
    flags: tuple[str, ...]
    category_score: float | None = None  # the category model's probability, when it decided


def tags_of(session: Session, item_ids: list[int]) -> dict[int, TagsView]:
    if not item_ids:
        return {}
    rows = session.execute(select(ItemTags).where(ItemTags.item_id.in_(item_ids))).scalars()
    return {
        r.item_id: TagsView(
            r.category, tuple(r.category_terms or []), tuple(r.flags or []), r.category_score
        )
        for r in rows
    }


def items_in_category(category: str) -> Select[tuple[int]]:
    return select(ItemTags.item_id).where(ItemTags.category == category)


@dataclass(frozen=True)
class Verdict:
    """What judging concluded of an item, as the events stage needs it."""

    negative: bool
    flags: frozenset[str]
    schemes: frozenset[int]  # matched and not marked irrelevant


def verdicts(session: Session, item_ids: list[int]) -> dict[int, Verdict]:
    """Read by id range where the ids are dense (the events stage asks for the items stored
    after its cursor, a run's thousands nearly in a row): 5.5 → 3.4 µs an item against `IN`
    lists of 500. Rows of ids not asked for are left out at the end."""
    labels: dict[int, str] = {}
    flags: dict[int, list[str]] = {}
    schemes: dict[int, set[int]] = {}
    dialect = session.get_bind().dialect.name
    for chunk in id_chunks(sorted(set(item_ids))):
        for i, label in session.execute(
            select(ItemSentiment.item_id, ItemSentiment.label).where(
                among_ids(ItemSentiment.item_id, chunk, dialect)
            )
        ):
            labels[i] = label
        for i, f in session.execute(
            select(ItemTags.item_id, ItemTags.flags).where(
                among_ids(ItemTags.item_id, chunk, dialect)
            )
        ):
            flags[i] = f or []
        for i, s in session.execute(
            select(ItemMatch.item_id, ItemMatch.scheme_id).where(
                among_ids(ItemMatch.item_id, chunk, dialect), ItemMatch.relevant.is_not(False)
            )
        ):
            schemes.setdefault(i, set()).add(s)
    return {
        i: Verdict(
            labels.get(i) == "negative",
            frozenset(flags.get(i, ())),
            frozenset(schemes.get(i, ())),
        )
        for i in item_ids
    }


def any_scheme(session: Session) -> bool:
    return (
        session.execute(select(Scheme.id).where(Scheme.enabled.is_(True)).limit(1)).first()
        is not None
    )


def scheme_volumes(
    session: Session, now: datetime, hours: int = 24
) -> dict[int, tuple[str, int, int]]:
    """Per enabled scheme: (name, matches in the last hour, matches in the `hours` before)."""
    hour_ago, day_ago = now - timedelta(hours=1), now - timedelta(hours=hours + 1)
    recent = func.sum(case((ItemMatch.matched_at >= hour_ago, 1), else_=0))
    rows = session.execute(
        select(Scheme.id, Scheme.name, recent, func.count())
        .join(ItemMatch, ItemMatch.scheme_id == Scheme.id)
        .where(Scheme.enabled.is_(True), ItemMatch.matched_at >= day_ago)
        .group_by(Scheme.id, Scheme.name)
    ).all()
    return {i: (name, int(r or 0), int(total) - int(r or 0)) for i, name, r, total in rows}


def sentiment_counts(session: Session, item_ids: Select[tuple[int]]) -> dict[str, int]:
    """negative / neutral / positive counts over a set of items (for reports)."""
    rows = session.execute(
        select(ItemSentiment.label, func.count())
        .where(ItemSentiment.item_id.in_(item_ids))
        .group_by(ItemSentiment.label)
    ).all()
    return {label: int(n) for label, n in rows}


def category_counts(
    session: Session, item_ids: Select[tuple[int]], limit: int = 15
) -> list[tuple[str, int]]:
    rows = session.execute(
        select(ItemTags.category, func.count())
        .where(ItemTags.item_id.in_(item_ids))
        .group_by(ItemTags.category)
        .order_by(func.count().desc())
        .limit(limit)
    ).all()
    return [(c, int(n)) for c, n in rows]


def judged_by_people(session: Session, item_ids: list[int]) -> set[int]:
    """Items a monitor marked relevant or not, or whose sentiment a person corrected: they are
    training data (`yuqing model train --with-feedback`), so retention keeps them."""
    marked = select(ItemMatch.item_id).where(
        ItemMatch.item_id.in_(item_ids), ItemMatch.relevant.is_not(None)
    )
    corrected = select(ItemSentiment.item_id).where(
        ItemSentiment.item_id.in_(item_ids), ItemSentiment.corrected_by.is_not(None)
    )
    return set(session.execute(marked.union(corrected)).scalars())
