"""Making a report: the period it covers, its snapshot gathered and stored (audited), and the
stored report read back for rendering in any format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.plan import versions
from yuqing.report import gather
from yuqing.report.gather import ReportError
from yuqing.report.model import KIND_NAMES, Header, Report
from yuqing.report.tables import ReportRow

PERIODIC = ("daily", "weekly", "monthly", "period")


@dataclass(frozen=True)
class Request:
    """What to report on: a kind, and a day (daily, weekly, monthly), a period (period,
    ledger) or a subject (special: an event; review and flash: an incident)."""

    kind: str
    day: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    subject_id: int | None = None
    drill: bool = False


def period_of(kind: str, day: date, tz: ZoneInfo) -> tuple[datetime, datetime, str]:
    """[start, end) in UTC and the title's words: a day, its Monday-to-Sunday week, its month."""
    if kind == "daily":
        first, last = day, day + timedelta(days=1)
        words = f"{day:%Y年%m月%d日}"
    elif kind == "weekly":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=7)
        words = f"{first:%Y年%m月%d日}—{last - timedelta(days=1):%m月%d日}"
    elif kind == "monthly":
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
        words = f"{first:%Y年%m月}"
    else:
        raise ReportError(f"不是周期报告：{kind}")
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last, time(0), tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC")), words


def organisation(session: Session) -> str:
    active = versions.active(session)
    if active is not None and active.plan.spec.organisation:
        return active.plan.spec.organisation
    return "网络舆情工作领导小组办公室"


def build(session: Session, req: Request, actor: Actor, now: datetime, tz: ZoneInfo) -> Report:
    if req.kind not in KIND_NAMES:
        raise ReportError(f"报告类型须为 {', '.join(KIND_NAMES)} / unknown kind {req.kind}")
    start, end, words = req.start, req.end, ""
    if req.kind in ("daily", "weekly", "monthly"):
        start, end, words = period_of(req.kind, req.day or now.astimezone(tz).date(), tz)
    if req.kind in ("period", "ledger"):
        if start is None or end is None:
            raise ReportError("请给出起止时间 / give --from and --to")
        words = f"{start.astimezone(tz):%Y-%m-%d}—{end.astimezone(tz):%Y-%m-%d}"
    if req.kind in ("special", "review", "flash") and req.subject_id is None:
        raise ReportError("请指定事件或处置编号 / give the event or incident id")
    header = Header(
        kind=req.kind,  # type: ignore[arg-type]
        title=f"{words}{KIND_NAMES[req.kind]}" if words else KIND_NAMES[req.kind],
        organisation=organisation(session),
        drill=req.drill,
        start=start,
        end=end,
        generated_at=now,
        generated_by=actor.name,
        timezone=str(tz),
    )
    if req.kind in PERIODIC:
        assert start is not None and end is not None
        return gather.period(session, header, start, end, now)
    if req.kind == "ledger":
        assert start is not None and end is not None
        return gather.ledger(session, header, start, end, now)
    assert req.subject_id is not None
    if req.kind == "special":
        report = gather.special(session, header, req.subject_id, now)
        report.header.title = f"关于「{report.special.event.title[:30]}」的{KIND_NAMES['special']}"  # type: ignore[union-attr]
        return report
    if req.kind == "review":
        report = gather.review(session, header, req.subject_id, now)
        report.header.title = f"「{report.review.incident.title[:30]}」{KIND_NAMES['review']}"  # type: ignore[union-attr]
        return report
    report = gather.flash(session, header, req.subject_id, now)
    report.header.title = f"{KIND_NAMES['flash']}：{report.flash.what[:30]}"  # type: ignore[union-attr]
    return report


def make(
    session: Session,
    req: Request,
    actor: Actor,
    now: datetime,
    tz: ZoneInfo,
    scheduled: bool = False,
) -> ReportRow:
    """Build the report and store it with its snapshot (audited)."""
    report = build(session, req, actor, now, tz)
    h = report.header
    row = ReportRow(
        kind=h.kind,
        title=("【演练】" if h.drill else "") + h.title,
        drill=h.drill,
        subject_id=req.subject_id,
        start=h.start,
        end=h.end,
        snapshot=report.model_dump(mode="json"),
        created_at=now,
        created_by=actor.name,
        scheduled=scheduled,
    )
    session.add(row)
    session.flush()
    record(session, actor, "report.make", "report", row.id, summary=row.title)
    return row


def load(row: ReportRow) -> Report:
    return Report.model_validate(row.snapshot)


def listing(session: Session, limit: int = 100) -> list[ReportRow]:
    return list(
        session.execute(select(ReportRow).order_by(ReportRow.id.desc()).limit(limit)).scalars()
    )


def edit_flash_text(session: Session, row: ReportRow, text: str, actor: Actor) -> None:
    """快报 text is a draft people correct before it goes out."""
    if row.kind != "flash":
        raise ReportError("只有快报的文本可以修改 / only a flash report's text is edited")
    if not 10 <= len(text.strip()) <= 2000:
        raise ReportError("快报文本 10–2000 字 / 10 to 2000 characters")
    report = load(row)
    assert report.flash is not None
    report.flash.text = text.strip()
    row.snapshot = report.model_dump(mode="json")
    record(session, actor, "report.edit", "report", row.id, summary=row.title)
