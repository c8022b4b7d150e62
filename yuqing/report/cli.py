"""`yuqing report daily|weekly|monthly|period|special|review|ledger|flash … --format --out`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from yuqing.cli_support import database, fail

report_app = typer.Typer(
    help="Reports (报告): made, stored with their data, written as docx, xlsx, pdf or html.",
    no_args_is_help=True,
)
Format = Annotated[str, typer.Option("--format", help="docx | xlsx | pdf | html")]
Out = Annotated[Path, typer.Option("--out", help="the file to write")]
Drill = Annotated[bool, typer.Option("--drill", help="report on drill data (marked 演练)")]


def _when(text: str) -> datetime:
    from yuqing.settings import get_settings
    from yuqing.text.times import BadTime, parse_time

    try:
        return parse_time(text, get_settings().tz)
    except BadTime as exc:
        raise fail(f"{text!r}: {exc}") from exc


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"{text!r}: write the day as 2026-11-21") from exc


def _run(kind: str, fmt: str, out: Path, **request: object) -> None:
    from yuqing.audit.log import Actor
    from yuqing.report.charts import FontMissing
    from yuqing.report.gather import ReportError
    from yuqing.report.render import FormatUnavailable, render
    from yuqing.report.service import Request, load, make
    from yuqing.settings import get_settings
    from yuqing.store.base import utcnow

    settings = get_settings()
    try:
        with database().write() as session:
            row = make(session, Request(kind, **request), Actor.cli(), utcnow(), settings.tz)  # type: ignore[arg-type]
            report, report_id, title = load(row), row.id, row.title
        data = render(report, fmt, settings.data_dir / "report-templates")
    except (ReportError, FormatUnavailable, FontMissing) as exc:
        raise fail(str(exc)) from exc
    out.write_bytes(data)
    typer.echo(f"report {report_id}: {title} → {out} ({len(data):,} bytes)")


@report_app.command("daily")
def daily(
    out: Out,
    day: Annotated[str | None, typer.Option("--date", help="the day (default: today)")] = None,
    fmt: Format = "docx",
    drill: Drill = False,
) -> None:
    """舆情日报 for one day (00:00–24:00 local time)."""
    _run("daily", fmt, out, day=_day(day), drill=drill)


@report_app.command("weekly")
def weekly(
    out: Out,
    day: Annotated[str | None, typer.Option("--date", help="a day of the week")] = None,
    fmt: Format = "docx",
    drill: Drill = False,
) -> None:
    """舆情周报 for the Monday-to-Sunday week of a day."""
    _run("weekly", fmt, out, day=_day(day), drill=drill)


@report_app.command("monthly")
def monthly(
    out: Out,
    day: Annotated[str | None, typer.Option("--date", help="a day of the month")] = None,
    fmt: Format = "docx",
    drill: Drill = False,
) -> None:
    """舆情月报 for the calendar month of a day."""
    _run("monthly", fmt, out, day=_day(day), drill=drill)


@report_app.command("period")
def period(
    out: Out,
    start: Annotated[str, typer.Option("--from")],
    end: Annotated[str, typer.Option("--to")],
    fmt: Format = "docx",
    drill: Drill = False,
) -> None:
    """A report for any period."""
    _run("period", fmt, out, start=_when(start), end=_when(end), drill=drill)


@report_app.command("ledger")
def ledger(
    out: Out,
    start: Annotated[str, typer.Option("--from")],
    end: Annotated[str, typer.Option("--to")],
    fmt: Format = "xlsx",
    drill: Drill = False,
) -> None:
    """台账: every incident of the period with every time, level, department and deadline."""
    _run("ledger", fmt, out, start=_when(start), end=_when(end), drill=drill)


@report_app.command("special")
def special(
    out: Out,
    event: Annotated[int, typer.Option("--event", help="the event's number")],
    fmt: Format = "docx",
) -> None:
    """专报 on one event."""
    _run("special", fmt, out, subject_id=event)


@report_app.command("review")
def review(
    out: Out,
    incident: Annotated[int, typer.Option("--incident", help="the incident's number")],
    fmt: Format = "docx",
) -> None:
    """总结评估报告 of one incident."""
    _run("review", fmt, out, subject_id=incident)


@report_app.command("flash")
def flash(
    out: Out,
    incident: Annotated[int, typer.Option("--incident", help="the incident's number")],
    fmt: Format = "docx",
) -> None:
    """快报 of one incident."""
    _run("flash", fmt, out, subject_id=incident)
