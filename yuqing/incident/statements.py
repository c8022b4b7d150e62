"""通稿·回应口径: a statement is drafted, submitted, approved or returned by the approver the plan
names for the level, and published with its channel, address and time. 统一口径: the approved text
is the one every channel uses; editing it after approval makes a new version that needs approval
again. Publishing the first statement answers the incident and tells the grading when the answer
went out (the plan's growth-after-response escalation reads it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor
from yuqing.events.admin import note_response
from yuqing.incident.closing import move_to
from yuqing.incident.opening import plan_of
from yuqing.incident.queries import missed_count
from yuqing.incident.tables import Incident, Statement, StatementStep
from yuqing.incident.timeline import IncidentError, note
from yuqing.incident.work import meet
from yuqing.notify.outbox import enqueue_notice

KINDS = {"first": "首次回应", "formal": "正式答复", "update": "后续通报"}
STATE_NAMES = {
    "draft": "草稿",
    "submitted": "待审批",
    "approved": "已批准",
    "returned": "已退回",
    "published": "已发布",
    "superseded": "已被新版本取代",
}
MIN_TEXT = 10


def _step(
    session: Session, s: Statement, action: str, actor: Actor, now: datetime, why: str = ""
) -> None:
    session.add(StatementStep(statement_id=s.id, at=now, action=action, actor=actor.name, note=why))


def _incident(session: Session, s: Statement) -> Incident:
    row = session.get(Incident, s.incident_id)
    assert row is not None
    return row


def draft(
    session: Session, incident: Incident, kind: str, text: str, actor: Actor, now: datetime
) -> Statement:
    if incident.state == "archived":
        raise IncidentError("已归档 / the incident is archived")
    if kind not in KINDS:
        raise IncidentError(f"回应类型须为 {', '.join(KINDS)} / unknown kind")
    if len(text.strip()) < MIN_TEXT:
        raise IncidentError(f"回应内容至少 {MIN_TEXT} 字 / too short")
    plan = plan_of(session, incident)
    steps = plan.level(incident.level).spec.approvers if plan and incident.level else []
    s = Statement(
        incident_id=incident.id,
        kind=kind,
        version=1,
        text=text.strip(),
        state="draft",
        approver_role=" → ".join(steps)[:100],
        approval_steps=steps,
        created_at=now,
        created_by=actor.name,
    )
    session.add(s)
    session.flush()
    _step(session, s, "draft", actor, now)
    note(
        session,
        incident,
        "statement",
        actor,
        f"起草{KINDS[kind]}（第 1 版）",
        now,
        {"statement": s.id},
        "statement.draft",
    )
    return s


def edit(session: Session, s: Statement, text: str, actor: Actor, now: datetime) -> Statement:
    """Change the text: a draft or returned one in place; an approved one becomes a new version
    that starts again as a draft (a published one cannot change — publish a follow-up)."""
    if len(text.strip()) < MIN_TEXT:
        raise IncidentError(f"回应内容至少 {MIN_TEXT} 字 / too short")
    if s.state in ("submitted", "published"):
        raise IncidentError("审批中或已发布的回应不能修改 / it is under approval or published")
    if s.state in ("draft", "returned"):
        s.text, s.state = text.strip(), "draft"
        _step(session, s, "edit", actor, now)
        return s
    incident = _incident(session, s)
    s.state = "superseded"
    new = Statement(
        incident_id=s.incident_id,
        kind=s.kind,
        version=s.version + 1,
        text=text.strip(),
        state="draft",
        approver_role=s.approver_role,
        approval_steps=list(s.approval_steps),
        created_at=now,
        created_by=actor.name,
    )
    session.add(new)
    session.flush()
    _step(session, s, "superseded", actor, now, f"第 {new.version} 版取代")
    _step(session, new, "draft", actor, now, f"修改已批准的第 {s.version} 版，须重新审批")
    note(
        session,
        incident,
        "statement",
        actor,
        f"修改已批准的{KINDS[s.kind]}，生成第 {new.version} 版，须重新审批",
        now,
        {"statement": new.id},
        "statement.edit",
    )
    return new


def submit(session: Session, s: Statement, actor: Actor, now: datetime) -> None:
    if s.state not in ("draft", "returned"):
        raise IncidentError("只有草稿可以提交审批 / only a draft can be submitted")
    s.state = "submitted"
    _step(session, s, "submit", actor, now)
    incident = _incident(session, s)
    note(
        session,
        incident,
        "statement",
        actor,
        f"提交审批：{KINDS[s.kind]} 第 {s.version} 版（审批人：{s.approver_role or '审批人'}）",
        now,
        {"statement": s.id},
        "statement.submit",
    )
    plan = plan_of(session, incident)
    enqueue_notice(
        session,
        list(plan.spec.notices.statement_to_approve) if plan else ["approver"],
        [],
        f"incident:{incident.id}:statement:{s.id}:{s.version}:submit",
        f"【待审批】{KINDS[s.kind]}：{incident.title[:30]}",
        [f"审批人：{s.approver_role or '—'}", s.text[:120]],
        f"/incidents/{incident.id}#statements",
        now,
        incident.drill,
    )


def decide(
    session: Session,
    s: Statement,
    approve: bool,
    why: str,
    actor: Actor,
    now: datetime,
    may_approve: bool,
) -> None:
    """Approve or return (returning needs a reason); only the plan's approver may. A plan that
    lists several approvers for the level needs each step, in order, by different people."""
    if not may_approve:
        raise IncidentError(
            f"须由预案规定的审批人（{s.approver_role or '审批人'}）审批 / only the approver may"
        )
    if s.state != "submitted":
        raise IncidentError("只有待审批的回应可以审批 / it is not awaiting approval")
    if not approve and len(why.strip()) < 2:
        raise IncidentError("退回须写明理由 / say why it is returned")
    incident = _incident(session, s)
    done = approvals_this_round(session, s)
    total = max(len(s.approval_steps), 1)
    if approve and actor.name in done:
        raise IncidentError("同一人不能审批两步 / each step needs a different approver")
    step_name = s.approval_steps[len(done)] if len(done) < len(s.approval_steps) else ""
    if approve and len(done) + 1 >= total:
        s.state, s.approved_at, s.approved_by = "approved", now, actor.name
    elif not approve:
        s.state = "returned"
    label = f"第 {len(done) + 1}/{total} 步（{step_name}）" if total > 1 else ""
    _step(session, s, "approve" if approve else "return", actor, now, (label + why.strip()))
    verb = f"{label}批准" if approve else "退回"
    note(
        session,
        incident,
        "statement",
        actor,
        f"{verb}{KINDS[s.kind]} 第 {s.version} 版{('：' + why.strip()) if why.strip() else ''}",
        now,
        {"statement": s.id},
        f"statement.{'approve' if approve else 'return'}",
    )


def publish(
    session: Session, s: Statement, channel: str, url: str, actor: Actor, now: datetime
) -> None:
    if s.state != "approved":
        raise IncidentError("只有已批准的回应可以发布 / approve it first")
    if not channel.strip():
        raise IncidentError("请写明发布渠道 / name the channel it went out on")
    s.state, s.published_at, s.channel, s.url = "published", now, channel.strip(), url.strip()
    _step(session, s, "publish", actor, now, f"{channel.strip()} {url.strip()}".strip())
    incident = _incident(session, s)
    first = incident.answered_at is None
    if first:
        incident.answered_at = now
    note(
        session,
        incident,
        "statement",
        actor,
        f"发布{KINDS[s.kind]} 第 {s.version} 版：{channel.strip()} {url.strip()}".strip(),
        now,
        {"statement": s.id},
        "statement.publish",
    )
    meet(session, incident, "first_response", actor, now)
    if s.kind == "formal":
        meet(session, incident, "formal_reply", actor, now)
    if incident.state == "responding":
        move_to(session, incident, "answered", actor, now, approver=False, note_text="回应已发布")
    if incident.event_id is not None and first:
        note_response(session, incident.event_id, now, missed_count(session, incident.id))


def approvals_this_round(session: Session, s: Statement) -> list[str]:
    """Who approved since the statement was last submitted."""
    names: list[str] = []
    for step in session.execute(
        select(StatementStep).where(StatementStep.statement_id == s.id).order_by(StatementStep.id)
    ).scalars():
        if step.action == "submit":
            names = []
        elif step.action == "approve":
            names.append(step.actor)
    return names


def statements_of(
    session: Session, incident_id: int
) -> list[tuple[Statement, list[StatementStep]]]:
    rows = list(
        session.execute(
            select(Statement).where(Statement.incident_id == incident_id).order_by(Statement.id)
        ).scalars()
    )
    steps: dict[int, list[StatementStep]] = {s.id: [] for s in rows}
    if rows:
        for step in session.execute(
            select(StatementStep)
            .where(StatementStep.statement_id.in_(list(steps)))
            .order_by(StatementStep.id)
        ).scalars():
            steps[step.statement_id].append(step)
    return [(s, steps[s.id]) for s in rows]
