"""Matching new items against the enabled schemes, in the transaction that stores them.

The compiled scheme set is cached per database and rebuilt when a scheme changes (the cache
checks the schemes' count and last change time once per batch).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yuqing.judge import taxonomy_store
from yuqing.judge.category import default_category_model
from yuqing.judge.matcher import MatchInput, SchemeSet
from yuqing.judge.schemes import Node, from_lists, parse
from yuqing.judge.sentiment import default_model
from yuqing.judge.tables import ItemMatch, ItemSentiment, ItemTags, Scheme
from yuqing.judge.taxonomy import OTHER
from yuqing.store.base import utcnow
from yuqing.store.cache import Compiled
from yuqing.text.normalise import normalise
from yuqing.text.segment import add_words, cut


@dataclass(frozen=True)
class ToJudge:
    item_id: int
    item: MatchInput


def scheme_node(s: Scheme) -> Node:
    if s.mode == "advanced":
        return parse(s.expression)
    return from_lists(s.subject_terms, s.region_terms, s.event_terms, s.exclude_terms)


log = logging.getLogger("yuqing.judge")


def _schemes_version(session: Session) -> tuple[Any, ...]:
    return tuple(
        session.execute(
            select(func.count(), func.max(Scheme.updated_at)).where(Scheme.enabled.is_(True))
        ).one()
    )


def _compile_schemes(session: Session) -> SchemeSet:
    schemes = session.execute(select(Scheme).where(Scheme.enabled.is_(True))).scalars().all()
    compiled = SchemeSet({s.id: scheme_node(s) for s in schemes})
    add_words(compiled.terms[t].text for t in compiled.triggers)
    return compiled


_schemes = Compiled(_schemes_version, _compile_schemes)


def scheme_set(session: Session) -> SchemeSet:
    return _schemes.get(session)


def tag_rows(session: Session, batch: list[ToJudge]) -> list[dict[str, Any]]:
    """Category and flags by the rules; where the rules find no category term, the category
    model's guess when it is confident."""
    tagger = taxonomy_store.tagger(session)
    texts = [f"{b.item.title} {b.item.text}" for b in batch]
    tags = [tagger.tag(t) for t in texts]
    rows: list[dict[str, Any]] = [
        {
            "item_id": b.item_id,
            "category": t.category,
            "category_terms": list(t.category_terms),
            "flags": list(t.flags),
            "category_score": None,
        }
        for b, t in zip(batch, tags, strict=True)
    ]
    model = default_category_model()
    unsure = [i for i, t in enumerate(tags) if t.category == OTHER]
    if model is not None and unsure:
        known = set(tagger.order)
        for i, guess in zip(unsure, model.confident([texts[i] for i in unsure], True), strict=True):
            if guess is not None and guess.category in known:
                rows[i]["category"], rows[i]["category_score"] = guess.category, guess.score
    return rows


def load_models() -> None:
    """Load the models and dictionaries judging reads (loaded by the first batch instead, they
    held that request and its transaction for seconds)."""
    try:
        default_model()
    except FileNotFoundError:
        log.warning("no sentiment model: items will be stored without sentiment")
    default_category_model()
    normalise("預熱")  # both OpenCC converters
    cut("预热")


def judge_items(session: Session, batch: list[ToJudge], now: datetime | None = None) -> int:
    """Record each item's sentiment and every (item, scheme) match; the number of matches.
    Rows go in as plain table inserts (executemany), not through the ORM's bulk path."""
    if not batch:
        return 0
    try:
        model = default_model()
    except FileNotFoundError:  # items are never refused for want of a model
        log.warning("no sentiment model: items are stored without sentiment")
        model = None
    if model is not None:
        predictions = model.predict(
            [f"{b.item.title} {b.item.text}" for b in batch], normalised=True
        )
        session.execute(
            insert(ItemSentiment.__table__),
            [
                {
                    "item_id": b.item_id,
                    "label": p.label,
                    "score": p.score,
                    "emotion": p.emotion,
                    "model_label": p.label,
                }
                for b, p in zip(batch, predictions, strict=True)
            ],
        )
    session.execute(insert(ItemTags.__table__), tag_rows(session, batch))
    schemes = scheme_set(session)
    if not schemes.schemes:
        return 0
    at = now or utcnow()
    rows = [
        {"item_id": b.item_id, "scheme_id": m.scheme_id, "terms": list(m.terms), "matched_at": at}
        for b in batch
        for m in schemes.match(b.item)
    ]
    if rows:
        session.execute(insert(ItemMatch.__table__), rows)
    return len(rows)
