"""Judging new items (sentiment, category and flags, matching schemes) for intake, which judges a
batch before its write transaction and stores the judgements in it.

The compiled scheme set is cached per database and rebuilt when a scheme changes (the cache
checks the schemes' count and last change time once per batch).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.judge import taxonomy_store
from yuqing.judge.category import default_category_model
from yuqing.judge.matcher import MatchInput, SchemeMatch, SchemeSet
from yuqing.judge.schemes import Node, from_lists, parse
from yuqing.judge.sentiment import Sentiment, default_model
from yuqing.judge.tables import ItemMatch, ItemSentiment, ItemTags, Scheme
from yuqing.judge.taxonomy import OTHER
from yuqing.store.bulk import insert_rows
from yuqing.store.cache import Compiled
from yuqing.text.normalise import normalise
from yuqing.text.segment import add_words, cut


@dataclass(frozen=True)
class Judgement:
    """What judging found in one item, before it is stored."""

    sentiment: Sentiment | None
    tags: dict[str, Any]  # category, category_terms, flags, category_score
    matches: list[SchemeMatch]


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


def _tags(session: Session, texts: list[str]) -> list[dict[str, Any]]:
    """Category and flags by the rules; where the rules find no category term, the category
    model's guess when it is confident."""
    tagger = taxonomy_store.tagger(session)
    tags = [tagger.tag(t) for t in texts]
    rows: list[dict[str, Any]] = [
        {
            "category": t.category,
            "category_terms": list(t.category_terms),
            "flags": list(t.flags),
            "category_score": None,
        }
        for t in tags
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


def judge(session: Session, items: list[MatchInput]) -> list[Judgement]:
    """Each item's sentiment, category, flags and matching schemes. Writes nothing (the session
    only checks the cached schemes and taxonomy), so intake judges a batch before it takes the
    write lock, which then holds only the writes."""
    if not items:
        return []
    texts = [f"{i.title} {i.text}" for i in items]
    try:
        model = default_model()
    except FileNotFoundError:  # items are never refused for want of a model
        log.warning("no sentiment model: items are stored without sentiment")
        model = None
    sentiments = model.predict(texts, normalised=True) if model else [None] * len(items)
    schemes = scheme_set(session)
    return [
        Judgement(p, tags, schemes.match(i) if schemes.schemes else [])
        for i, p, tags in zip(items, sentiments, _tags(session, texts), strict=True)
    ]


def store_judgements(session: Session, judged: list[tuple[int, Judgement]], now: datetime) -> int:
    """Record each item's judgement; the number of (item, scheme) matches. Rows go in as plain
    table inserts (executemany), not through the ORM's bulk path."""
    if not judged:
        return 0
    sentiments = [
        {
            "item_id": item_id,
            "label": j.sentiment.label,
            "score": j.sentiment.score,
            "emotion": j.sentiment.emotion,
            "model_label": j.sentiment.label,
        }
        for item_id, j in judged
        if j.sentiment is not None
    ]
    if sentiments:
        insert_rows(session, ItemSentiment.__table__, sentiments)
    insert_rows(session, ItemTags.__table__, [{"item_id": i, **j.tags} for i, j in judged])
    matches = [
        {"item_id": item_id, "scheme_id": m.scheme_id, "terms": list(m.terms), "matched_at": now}
        for item_id, j in judged
        for m in j.matches
    ]
    if matches:
        insert_rows(session, ItemMatch.__table__, matches)
    return len(matches)
