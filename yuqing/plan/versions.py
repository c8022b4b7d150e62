"""Plan versions in the database: every loaded plan is kept; one is active at a time.

Loading a plan whose text is unchanged returns the existing version, so `yuqing plan load` can
run on every deploy. Grades and warnings record the version they used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.plan.loader import Plan, load_plan
from yuqing.plan.tables import PlanVersion
from yuqing.text.segment import add_words

TEMPLATES = Path(__file__).parent / "builtin"


@dataclass(frozen=True)
class Versioned:
    id: int
    version: int
    plan: Plan


def templates() -> dict[str, str]:
    """Built-in plan templates by file stem, with their text."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.glob("*.yaml"))}


@lru_cache(maxsize=32)
def _parsed(text: str) -> Plan:
    plan = load_plan(text)
    names = [plan.spec.organisation or ""]
    names += [u for lv in plan.levels for u in (lv.spec.lead_unit, *lv.spec.approvers)]
    add_words(names)
    return plan


def save(
    session: Session, text: str, actor: Actor, activate: bool = True, note: str = ""
) -> Versioned:
    """Check and store a plan (PlanError if it is wrong); the version it became."""
    plan = _parsed(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    same = session.execute(
        select(PlanVersion).where(PlanVersion.name == plan.name, PlanVersion.sha256 == digest)
    ).scalar_one_or_none()
    if same is None:
        last = session.execute(
            select(func.max(PlanVersion.version)).where(PlanVersion.name == plan.name)
        ).scalar()
        same = PlanVersion(
            name=plan.name,
            version=(last or 0) + 1,
            text=text,
            sha256=digest,
            active=False,
            note=note or None,
            created_by=actor.name,
        )
        session.add(same)
        session.flush()
        record(
            session,
            actor,
            "plan.save",
            "plan_version",
            same.id,
            summary=f"{plan.name} v{same.version}",
            after={"sha256": digest},
        )
    if activate and not same.active:
        activate_version(session, same.id, actor)
    return Versioned(same.id, same.version, plan)


def activate_version(session: Session, version_id: int, actor: Actor) -> None:
    row = session.get(PlanVersion, version_id)
    if row is None:
        raise LookupError(f"no plan version {version_id}")
    session.execute(update(PlanVersion).where(PlanVersion.active.is_(True)).values(active=False))
    row.active = True
    record(
        session,
        actor,
        "plan.activate",
        "plan_version",
        row.id,
        summary=f"{row.name} v{row.version}",
    )


def get(session: Session, version_id: int) -> Versioned | None:
    row = session.get(PlanVersion, version_id)
    return Versioned(row.id, row.version, _parsed(row.text)) if row else None


def active(session: Session) -> Versioned | None:
    row = session.execute(select(PlanVersion).where(PlanVersion.active.is_(True))).scalar()
    return Versioned(row.id, row.version, _parsed(row.text)) if row else None


def listing(session: Session) -> list[PlanVersion]:
    return list(
        session.execute(
            select(PlanVersion).order_by(PlanVersion.name, PlanVersion.version.desc())
        ).scalars()
    )
