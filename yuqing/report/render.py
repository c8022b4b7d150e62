"""A report in each format: HTML (the console, and PDF through weasyprint), Word from a docxtpl
template the organisation may replace with its own letterhead, and Excel (openpyxl)."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from yuqing.report import charts
from yuqing.report.model import Report
from yuqing.report.present import present

HERE = Path(__file__).parent
DOCX_TEMPLATES = HERE / "docx"
FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())


class FormatUnavailable(ValueError):
    pass


def chart_images(report: Report, view: dict[str, Any]) -> dict[str, bytes]:
    """PNG charts of the report (none for the ledger and the flash report)."""
    out: dict[str, bytes] = {}
    if report.period is not None:
        labels = [v["at"] for v in view["volume"]]
        out["volume"] = charts.volume_chart(report.period.volume, labels, "信息量走势")
        out["sentiment"] = charts.sentiment_chart(report.period.sentiment)
        if report.period.sources:
            out["sources"] = charts.bar_chart(report.period.sources, "主要来源")
    if report.special is not None:
        labels = [v["at"] for v in view["volume"]]
        out["volume"] = charts.volume_chart(report.special.volume, labels, "事件信息量（累计）")
        out["sentiment"] = charts.sentiment_chart(report.special.sentiment)
    return out


def to_html(report: Report) -> str:
    view = present(report)
    images = {
        k: "data:image/png;base64," + base64.b64encode(v).decode()
        for k, v in chart_images(report, view).items()
    }
    return _env.get_template("report_doc.html").render(
        v=view, charts=images, font=charts.cjk_font()
    )


def to_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, only PDF needs it

    return HTML(string=to_html(report)).write_pdf()


def to_xlsx(report: Report) -> bytes:
    view = present(report)
    book = Workbook()
    sheet = book.active
    sheet.title = view["kind_name"][:30]
    bold = Font(bold=True)
    head = PatternFill("solid", fgColor="F0F4F8")
    sheet.append([view["title"]])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([view["organisation"], view["period_text"], f"生成于 {view['generated']}"])
    sheet.append([])

    def table(title: str, columns: list[str], rows: list[list[Any]], target: Any = None) -> None:
        ws = target or sheet
        ws.append([title])
        ws.cell(ws.max_row, 1).font = bold
        ws.append(columns)
        for cell in ws[ws.max_row]:
            cell.font, cell.fill = bold, head
        for row in rows:
            ws.append(row)
        ws.append([])

    if "incidents" in view and view["kind"] == "ledger":
        table(
            "处置台账",
            [
                "编号",
                "处置",
                "最高级别",
                "当前级别",
                "状态",
                "类别",
                "牵头单位",
                "涉事部门",
                "开启",
                "启动响应",
                "首次回应",
                "平息",
                "归档",
                "按时",
                "超时",
                "结果",
            ],
            [
                [
                    i["id"],
                    i["title"],
                    i["peak_level_name"],
                    i["level_name"],
                    i["state"],
                    i["category"] or "",
                    i["lead_unit"],
                    i["departments_text"],
                    i["opened"],
                    i["activated"],
                    i["answered"],
                    i["subsided"],
                    i["archived"],
                    i["met"],
                    i["missed"],
                    i["result"],
                ]
                for i in view["incidents"]
            ],
        )
        deadlines = book.create_sheet("时限")
        table(
            "每项时限",
            ["处置编号", "处置", "时限", "责任单位", "截止", "完成", "结果"],
            [
                [i["id"], i["title"], d["label"], d["owner"], d["due"], d["met"], d["outcome"]]
                for i in view["incidents"]
                for d in i["deadlines"]
            ],
            deadlines,
        )
    elif view["kind"] in ("daily", "weekly", "monthly", "period"):
        sheet.append(["信息总量", view["items"], "上期", view["previous_items"], view["change"]])
        sheet.append([])
        table("信息量走势", ["时间", "条数"], [[v["at"], v["count"]] for v in view["volume"]])
        table(
            "情感倾向",
            ["情感", "条数", "占比"],
            [[s["name"], s["count"], s["share"]] for s in view["sentiment"]],
        )
        table(
            "重点事件",
            ["编号", "事件", "级别", "信息量", "评论", "热度"],
            [
                [e["id"], e["title"], e["level_name"], e["items"], e["comments"], e["heat"]]
                for e in view["events"]
            ],
        )
        table(
            "预警",
            ["时间", "事件", "动作", "级别", "依据"],
            [
                [
                    w["when"],
                    w["title"],
                    w["kind_text"] + w["action"],
                    w["level_name"],
                    w["reasons_text"],
                ]
                for w in view["warnings"]
            ],
        )
        table(
            "应急处置",
            ["编号", "处置", "级别", "状态", "按时", "超时", "最近时限"],
            [
                [
                    i["id"],
                    i["title"],
                    i["level_name"],
                    i["state"],
                    i["met"],
                    i["missed"],
                    i["next_due"],
                ]
                for i in view["incidents"]
            ],
        )
        table("来源", ["来源", "条数"], [[c["name"], c["count"]] for c in view["sources"]])
        table("地域", ["地域", "条数"], [[c["name"], c["count"]] for c in view["regions"]])
        table("类别", ["类别", "条数"], [[c["name"], c["count"]] for c in view["categories"]])
    else:
        raise FormatUnavailable("该报告没有 Excel 格式 / no Excel form for this report")
    for column in sheet.columns:
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = 18
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_template(kind: str, override: Path | None = None) -> Path:
    """The organisation's template (data dir/report-templates/NAME.docx) or the built-in one."""
    name = "period" if kind in ("daily", "weekly", "monthly", "period") else kind
    if override is not None and (override / f"{name}.docx").exists():
        return override / f"{name}.docx"
    path = DOCX_TEMPLATES / f"{name}.docx"
    if not path.exists():
        raise FormatUnavailable("该报告没有 Word 格式 / no Word form for this report")
    return path


def to_docx(report: Report, override: Path | None = None) -> bytes:
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    view = present(report)
    template = DocxTemplate(str(docx_template(report.header.kind, override)))
    images = {
        k: InlineImage(template, io.BytesIO(v), width=Mm(150 if k != "sentiment" else 90))
        for k, v in chart_images(report, view).items()
    }
    template.render({"v": view, "charts": images})
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def render(report: Report, fmt: str, override: Path | None = None) -> bytes:
    if fmt == "html":
        return to_html(report).encode()
    if fmt == "pdf":
        return to_pdf(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "docx":
        return to_docx(report, override)
    raise FormatUnavailable(f"格式须为 {', '.join(FORMATS)} / unknown format {fmt}")
