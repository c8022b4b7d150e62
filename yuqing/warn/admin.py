"""Lifting a warning by hand: only the role the plan names (or an admin) may, with a reason."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yuqing.access.permissions import Principal
from yuqing.events.stage import touch
from yuqing.plan import versions
from yuqing.store.base import utcnow
from yuqing.warn.lifecycle import Step
from yuqing.warn.store import record_step
from yuqing.warn.tables import Warning_


class LiftRefused(ValueError):
    pass


def lift(session: Session, warning_id: int, who: Principal, reason: str) -> Warning_:
    warning = session.get(Warning_, warning_id)
    if warning is None or warning.state != "active":
        raise LiftRefused(f"预警 {warning_id} 不在生效中 / warning {warning_id} is not active")
    plan = versions.get(session, warning.plan_version_id) if warning.plan_version_id else None
    role = plan.plan.spec.warnings.lift_role if plan else "office"
    if role not in who.roles and "admin" not in who.roles:
        raise LiftRefused(f"预案规定由 {role} 解除预警 / the plan lets {role} lift warnings")
    if len(reason.strip()) < 4:
        raise LiftRefused("解除预警须写明理由 / a written reason is required")
    step = Step("lifted", None, False, (f"人工解除: {reason.strip()}",))
    record_step(
        session,
        warning.event_id,
        step,
        plan.plan if plan else None,
        warning.plan_version_id,
        utcnow(),
        warning.drill,
        who.actor,
        note=reason.strip(),
    )
    touch(session, warning.drill, f"lift warning {warning_id}")
    return warning
