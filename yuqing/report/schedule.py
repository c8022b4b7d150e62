"""Reports that make themselves: the daily report at the configured hour for the day before,
the weekly one on Monday for the week before, the monthly one on the 1st; and a 快报 draft for
every incident as soon as it opens. Each is made once (the stored rows say which exist) and the
office is told on its channels, with the link to open and download it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.incident.queries import opened_since
from yuqing.incident.tables import Incident
from yuqing.incident.work import meet
from yuqing.notify.outbox import enqueue_notice
from yuqing.report.gather import ReportError
from yuqing.report.service import Request, load, make, period_of
from yuqing.report.tables import ReportRow
from yuqing.settings import Settings
from yuqing.store.base import utcnow
from yuqing.store.db import Database

SCHEDULER = Actor("report schedule", "system")


def due_periodic(now: datetime, settings: Settings) -> list[Request]:
    """The periodic reports that should exist by `now` (local hour ≥ the report hour)."""
    local = now.astimezone(settings.tz)
    if local.hour < settings.report_hour:
        return []
    yesterday = local.date() - timedelta(days=1)
    due = [Request("daily", day=yesterday)]
    if local.weekday() == 0:
        due.append(Request("weekly", day=yesterday))
    if local.day == 1:
        due.append(Request("monthly", day=yesterday))
    return due


def _exists(session: Session, kind: str, start: datetime | None, subject: int | None) -> bool:
    stmt = select(ReportRow.id).where(ReportRow.kind == kind)
    if subject is not None:
        stmt = stmt.where(ReportRow.subject_id == subject)
    else:
        stmt = stmt.where(ReportRow.start == start, ReportRow.scheduled.is_(True))
    return session.execute(stmt.limit(1)).first() is not None


def _tell(session: Session, row: ReportRow, lines: list[str], now: datetime) -> None:
    enqueue_notice(
        session,
        ["office"],
        [],
        f"report:{row.id}",
        f"【报告】{row.title}",
        lines,
        f"/reports/{row.id}",
        now,
        row.drill,
    )


def run(session: Session, now: datetime, settings: Settings) -> int:
    """Make what is due; how many reports were made."""
    made = 0
    for req in due_periodic(now, settings):
        assert req.day is not None
        start, _, _ = period_of(req.kind, req.day, settings.tz)
        if _exists(session, req.kind, start, None):
            continue
        row = make(session, req, SCHEDULER, now, settings.tz, scheduled=True)
        _tell(session, row, ["已按计划生成，可在线查看并下载 Word、Excel、PDF。"], now)
        made += 1
    for incident_id, drill in opened_since(session, now - timedelta(days=1)):
        if _exists(session, "flash", None, incident_id):
            continue
        row = make(
            session,
            Request("flash", subject_id=incident_id, drill=drill),
            SCHEDULER,
            now,
            settings.tz,
            scheduled=True,
        )
        _tell(
            session, row, ["快报草稿已生成：请核实、修改后报送（电话 30 分钟、书面 1 小时）。"], now
        )
        made += 1
    return made


def sweep(db: Database, settings: Settings, now: datetime | None = None) -> int:
    with db.write() as session:
        return run(session, now or utcnow(), settings)


def send(session: Session, row: ReportRow, roles: list[str], actor: Actor, now: datetime) -> None:
    """Send a report through the channels of `roles`: a flash report as its (edited) short
    text, any other as its title and link. Sending a flash report meets the incident's written
    flash-report deadline (书面快报)."""
    report = load(row)
    if not roles:
        raise ReportError("请选择发送给哪些角色 / choose who receives it")
    lines = report.flash.text.split("\n")[1:] if report.flash else ["请在线查看或下载。"]
    title = report.flash.text.split("\n")[0] if report.flash else f"【报告】{row.title}"
    enqueue_notice(
        session,
        roles,
        [],
        f"report:{row.id}:send:{now.isoformat()}",
        title,
        lines,
        f"/reports/{row.id}",
        now,
        row.drill,
    )
    record(
        session, actor, "report.send", "report", row.id, summary=f"{row.title} → {', '.join(roles)}"
    )
    if report.flash is not None and row.subject_id is not None:
        incident = session.get(Incident, row.subject_id)
        if incident is not None:
            meet(session, incident, "flash_written", actor, now)
