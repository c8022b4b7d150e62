"""The organisation's own taxonomy: categories and risk-flag terms edited in the console.

Flag names are fixed (the plan's criteria name them: `flag.casualties` …); their terms and the
categories — names and terms — are the organisation's. With nothing saved, the built-in taxonomy
applies. The compiled tagger is cached per database and rebuilt when an entry changes.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.judge.tables import TaxonomyEntry
from yuqing.judge.taxonomy import CATEGORIES, FLAGS, OTHER, Tagger
from yuqing.store.base import utcnow
from yuqing.store.cache import Compiled

MAX_NAME = 32
MAX_TERMS = 500


class TaxonomyInvalid(ValueError):
    pass


def current(session: Session) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Categories and flags with their terms, in order; the built-in ones when none are saved."""
    rows = session.execute(
        select(TaxonomyEntry).order_by(TaxonomyEntry.kind, TaxonomyEntry.position)
    ).scalars()
    categories: dict[str, list[str]] = {}
    flags: dict[str, list[str]] = {}
    for r in rows:
        (categories if r.kind == "category" else flags)[r.name] = list(r.terms)
    if not categories:
        categories = {k: list(v) for k, v in CATEGORIES.items()}
    return categories, {name: flags.get(name, list(terms)) for name, terms in FLAGS.items()}


_taggers = Compiled(
    lambda session: tuple(
        session.execute(select(func.count(), func.max(TaxonomyEntry.updated_at))).one()
    ),
    lambda session: Tagger(*current(session)),
)


def tagger(session: Session) -> Tagger:
    return _taggers.get(session)


def save(
    session: Session,
    categories: dict[str, list[str]],
    flags: dict[str, list[str]],
    actor: Actor,
) -> None:
    """Replace the taxonomy (TaxonomyInvalid naming what is wrong); audited with before/after."""
    problems = []
    for name, terms in categories.items():
        if not name or len(name) > MAX_NAME:
            problems.append(f"分类名须为 1–{MAX_NAME} 个字 / category name: {name!r}")
        if name == OTHER:
            problems.append(f"「{OTHER}」是未归类信息的名字，不能作为分类 / {OTHER} is reserved")
        if not terms:
            problems.append(f"分类「{name}」没有关键词 / category {name} has no terms")
        if len(terms) > MAX_TERMS:
            problems.append(f"分类「{name}」关键词过多 / too many terms in {name}")
    unknown = sorted(set(flags) - set(FLAGS))
    if unknown:
        problems.append(f"未知风险标记 / unknown flags: {unknown}; known: {sorted(FLAGS)}")
    if not categories:
        problems.append("至少需要一个分类 / at least one category is needed")
    if problems:
        raise TaxonomyInvalid("; ".join(problems))
    before = current(session)
    now = utcnow()
    session.execute(delete(TaxonomyEntry))
    for kind, table in (("category", categories), ("flag", flags)):
        for position, (name, terms) in enumerate(table.items()):
            session.add(
                TaxonomyEntry(
                    kind=kind,
                    name=name,
                    terms=list(dict.fromkeys(terms)),
                    position=position,
                    updated_at=now,
                    updated_by=actor.name,
                )
            )
    record(
        session,
        actor,
        "taxonomy.save",
        "taxonomy",
        None,
        summary=f"{len(categories)} 个分类, {len(flags)} 个风险标记",
        before={"categories": before[0], "flags": before[1]},
        after={"categories": categories, "flags": flags},
    )
