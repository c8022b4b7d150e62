"""Reports built from a real database, opened with python-docx and openpyxl and checked against
the data; a PDF rendered to PNG to prove the Chinese glyphs are real."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.incident.test_workflow import BOSS, OFFICE, T0, _start
from yuqing.audit.log import Actor
from yuqing.collect.tables import Item
from yuqing.incident import closing, statements
from yuqing.incident.timeline import get_incident
from yuqing.report import render
from yuqing.report.service import Request, load, make
from yuqing.store.db import Database

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 23)  # T0 is 10:00 on Monday 23 November, Beijing


def _handled(db: Database) -> int:
    """An incident taken from a level-Ⅱ warning to its archived review."""
    incident = _start(db)
    with db.write() as s:
        i = get_incident(s, incident.id)
        closing.move_to(s, i, "responding", OFFICE, T0 + timedelta(minutes=5), approver=False)
        st = statements.draft(s, i, "first", "关于学生身体不适情况的通报：已送医。", OFFICE, T0)
        statements.submit(s, st, OFFICE, T0 + timedelta(minutes=20))
        statements.decide(s, st, True, "", BOSS, T0 + timedelta(minutes=30), True)
        statements.publish(
            s, st, "官方微博", "https://weibo.com/x/1", OFFICE, T0 + timedelta(minutes=40)
        )
        closing.move_to(s, i, "following", OFFICE, T0 + timedelta(hours=1), approver=False)
        closing.move_to(s, i, "subsided", BOSS, T0 + timedelta(hours=3), approver=True)
        closing.move_to(s, i, "reviewing", OFFICE, T0 + timedelta(hours=4), approver=False)
        closing.write_review(
            s, i, "首次回应 40 分钟内发出，口径统一。", OFFICE, T0 + timedelta(hours=4)
        )
        closing.move_to(s, i, "archived", OFFICE, T0 + timedelta(hours=4), approver=False)
    return incident.id


def _make(db: Database, req: Request):  # type: ignore[no-untyped-def]
    with db.write() as s:
        row = make(s, req, Actor("office1", "user"), T0 + timedelta(hours=5), TZ)
        return load(row)


def test_the_daily_report_counts_what_is_stored(db: Database) -> None:
    incident_id = _handled(db)
    report = _make(db, Request("daily", day=DAY))
    with db.read() as s:
        stored = s.execute(select(func.count()).select_from(Item)).scalar_one()
    assert report.period is not None and report.period.items == stored == 1
    assert report.header.title == "2026年11月23日舆情日报"
    assert [i.id for i in report.period.incidents] == [incident_id]
    assert report.period.warnings[0].level_name == "Ⅱ级（重大）"
    doc = Document(io.BytesIO(render.render(report, "docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "本期共监测到相关信息 1 条" in text and "2026年11月23日舆情日报" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Ⅱ级（重大）" in cells and "官方微博" not in cells
    assert len(doc.inline_shapes) >= 2  # the volume and sentiment charts
    book = load_workbook(io.BytesIO(render.render(report, "xlsx")))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[3][:5] == ("信息总量", 1, "上期", 0, "无可比数据")


def test_special_review_and_ledger(db: Database) -> None:
    incident_id = _handled(db)
    with db.read() as s:
        from yuqing.incident.tables import Incident

        event_id = s.get(Incident, incident_id).event_id
    special = _make(db, Request("special", subject_id=event_id))
    assert special.special is not None and special.special.incident is not None
    doc = Document(io.BytesIO(render.render(special, "docx")))
    assert any("首发于" in p.text for p in doc.paragraphs)

    review = _make(db, Request("review", subject_id=incident_id))
    assert review.review is not None and review.review.figures is not None
    assert review.review.figures["minutes_to_first_response"] == 40.0
    doc = Document(io.BytesIO(render.render(review, "docx")))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "40.0" in cells and "首次回应 40 分钟内发出，口径统一。" in "\n".join(
        p.text for p in doc.paragraphs
    )

    ledger = _make(db, Request("ledger", start=T0 - timedelta(days=1), end=T0 + timedelta(days=1)))
    book = load_workbook(io.BytesIO(render.render(ledger, "xlsx")))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    at = next(n for n, r in enumerate(rows) if r[0] == "编号")
    row = dict(zip(rows[at], rows[at + 1], strict=True))
    assert (
        row["编号"] == incident_id
        and row["状态"] == "归档"
        and row["首次回应"] == "2026-11-23 10:40"
    )
    deadlines = list(book["时限"].iter_rows(values_only=True))
    assert any(r[2] == "首次公开回应" and r[6] == "按时" for r in deadlines)

    flash = _make(db, Request("flash", subject_id=incident_id))
    assert flash.flash is not None and flash.flash.text.startswith("【舆情快报】Ⅱ级（重大）")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_the_pdf_draws_real_chinese_glyphs(db: Database, tmp_path: Path) -> None:
    _handled(db)
    report = _make(db, Request("daily", day=DAY))
    pdf = tmp_path / "daily.pdf"
    pdf.write_bytes(render.render(report, "pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts or "Noto" in fonts  # a CJK font is embedded
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "舆情日报" in text and "本期共监测到相关信息" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 10_000  # a drawn page, not an empty one
    artifacts = Path(__file__).resolve().parent.parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copy(png, artifacts / "report-daily-page1.png")
