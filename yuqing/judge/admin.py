"""Creating and changing schemes (admin), each change validated and audited."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.judge.apply import scheme_node
from yuqing.judge.schemes import SchemeError
from yuqing.judge.tables import ItemMatch, Scheme
from yuqing.store.base import utcnow

_SPLIT = re.compile(r"[\n,，;；、]+")
FIELDS = [
    "name",
    "mode",
    "subject_terms",
    "region_terms",
    "event_terms",
    "exclude_terms",
    "expression",
    "enabled",
]


def split_terms(raw: str) -> list[str]:
    """Terms as people type them: one per line, or separated by commas or 、."""
    return [t.strip() for t in _SPLIT.split(raw or "") if t.strip()]


class SchemeForm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(..., min_length=1, max_length=200)
    mode: Literal["simple", "advanced"] = "simple"
    subject_terms: list[str] = Field(default_factory=list, max_length=500)
    region_terms: list[str] = Field(default_factory=list, max_length=500)
    event_terms: list[str] = Field(default_factory=list, max_length=500)
    exclude_terms: list[str] = Field(default_factory=list, max_length=500)
    expression: str = Field("", max_length=10_000)
    enabled: bool = True

    @field_validator("subject_terms", "region_terms", "event_terms", "exclude_terms")
    @classmethod
    def _terms(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip() for t in value if t.strip()))


class SchemeInvalid(ValueError):
    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


def _validate(form: SchemeForm) -> None:
    probe = Scheme(**form.model_dump())
    try:
        scheme_node(probe)
    except SchemeError as exc:
        raise SchemeInvalid(str(exc), exc.column if form.mode == "advanced" else None) from exc


def _snapshot(s: Scheme) -> dict[str, Any]:
    return {f: getattr(s, f) for f in FIELDS}


def create_scheme(session: Session, form: SchemeForm, actor: Actor) -> Scheme:
    _validate(form)
    if session.execute(select(Scheme.id).where(Scheme.name == form.name)).first():
        raise SchemeInvalid(f"方案 {form.name} 已存在 / a scheme with this name exists")
    scheme = Scheme(**form.model_dump(), created_at=utcnow(), updated_at=utcnow())
    session.add(scheme)
    session.flush()
    record(
        session,
        actor,
        "scheme.create",
        "scheme",
        scheme.id,
        summary=scheme.name,
        after=_snapshot(scheme),
    )
    return scheme


def update_scheme(session: Session, scheme_id: int, form: SchemeForm, actor: Actor) -> Scheme:
    _validate(form)
    scheme = get_scheme(session, scheme_id)
    clash = session.execute(
        select(Scheme.id).where(Scheme.name == form.name, Scheme.id != scheme_id)
    ).first()
    if clash:
        raise SchemeInvalid(f"方案 {form.name} 已存在 / a scheme with this name exists")
    before = _snapshot(scheme)
    for name, value in form.model_dump().items():
        setattr(scheme, name, value)
    after = _snapshot(scheme)
    if after != before:
        scheme.updated_at = utcnow()
        # Matches follow the new definition: forget the old ones; rematching restores them.
        session.execute(
            delete(ItemMatch).where(ItemMatch.scheme_id == scheme_id, ItemMatch.relevant.is_(None))
        )
        record(
            session,
            actor,
            "scheme.update",
            "scheme",
            scheme.id,
            summary=scheme.name,
            before=before,
            after=after,
        )
    return scheme


def get_scheme(session: Session, scheme_id: int) -> Scheme:
    scheme = session.get(Scheme, scheme_id)
    if scheme is None:
        raise SchemeInvalid("没有该方案 / no such scheme")
    return scheme


def list_schemes(session: Session) -> list[tuple[Scheme, int]]:
    counts = dict(
        session.execute(
            select(ItemMatch.scheme_id, func.count()).group_by(ItemMatch.scheme_id)
        ).all()
    )
    schemes = session.execute(select(Scheme).order_by(Scheme.name)).scalars().all()
    return [(s, counts.get(s.id, 0)) for s in schemes]


def form_of(s: Scheme) -> SchemeForm:
    return SchemeForm.model_validate(_snapshot(s))
