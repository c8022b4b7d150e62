"""Builds the built-in Word templates (yuqing/report/docx/*.docx) with docxtpl tags in them.

An organisation replaces one by putting its own file of the same name — its letterhead, its
fonts, the same tags — in <data dir>/report-templates/. Rebuild the built-in ones with
`python -m yuqing.report.docx_templates` after changing this file.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

OUT = Path(__file__).parent / "docx"
FONT = "宋体"


def _document() -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run("{{ v.organisation }}")
    run.bold, run.font.size, run.font.color.rgb = True, Pt(22), RGBColor(0xB4, 0x23, 0x18)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    t = title.add_run("{{ v.title }}")
    t.bold, t.font.size = True, Pt(18)
    meta = doc.add_paragraph(
        "{% if v.drill %}演练数据，非真实舆情 · {% endif %}{{ v.period_text }} 生成于 "
        "{{ v.generated }}（{{ v.generated_by }}）"
    )
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return doc


def _table(doc: Document, columns: list[str], loop: str, cells: list[str]) -> None:
    """A table whose middle row repeats for each element of `loop` (docxtpl's {%tr %})."""
    table = doc.add_table(rows=4, cols=len(columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, columns, strict=True):
        cell.text = name
        cell.paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = f"{{%tr for x in {loop} %}}"
    for cell, field in zip(table.rows[2].cells, cells, strict=True):
        cell.text = f"{{{{ {field} }}}}"
    table.rows[3].cells[0].text = "{%tr endfor %}"


def period() -> Document:
    doc = _document()
    doc.add_heading("一、总体情况", level=2)
    doc.add_paragraph(
        "本期共监测到相关信息 {{ v['items'] }} 条，较上期（{{ v.previous_items }} 条）{{ v.change }}。"
        "其中负面 {{ v.negative }} 条，占 {{ v.negative_share }}。"
    )
    doc.add_paragraph("{{ charts.volume }}")
    doc.add_paragraph("{{ charts.sentiment }}")
    _table(doc, ["情感", "条数", "占比"], "v.sentiment", ["x.name", "x.count", "x.share"])
    doc.add_heading("二、重点事件", level=2)
    _table(
        doc,
        ["编号", "事件", "级别", "信息量", "评论", "热度"],
        "v.events",
        ["x.id", "x.title", "x.level_name", "x['items']", "x.comments", "x.heat"],
    )
    doc.add_heading("三、预警", level=2)
    _table(
        doc,
        ["时间", "事件", "动作", "级别", "依据"],
        "v.warnings",
        ["x.when", "x.title", "x.kind_text ~ x.action", "x.level_name", "x.reasons_text"],
    )
    doc.add_heading("四、应急处置", level=2)
    _table(
        doc,
        ["编号", "处置", "级别", "状态", "按时", "超时", "最近时限"],
        "v.incidents",
        ["x.id", "x.title", "x.level_name", "x.state", "x.met", "x.missed", "x.next_due"],
    )
    doc.add_heading("五、来源、地域与类别", level=2)
    doc.add_paragraph("{% if charts.sources %}{{ charts.sources }}{% endif %}")
    _table(doc, ["来源", "条数"], "v.sources", ["x.name", "x.count"])
    _table(doc, ["地域", "条数"], "v.regions", ["x.name", "x.count"])
    _table(doc, ["类别", "条数"], "v.categories", ["x.name", "x.count"])
    return doc


def special() -> Document:
    doc = _document()
    doc.add_heading("一、事件概况", level=2)
    doc.add_paragraph(
        "事件「{{ v.event.title }}」（#{{ v.event.id }}）首发于 {{ v.event.first }}，最近一条 "
        "{{ v.event.last }}，共 {{ v.event['items'] }} 条信息、评论 {{ v.event.comments }}，热度 "
        "{{ v.event.heat }}，当前级别 {{ v.event.level_name }}。关键词：{{ v.event.keywords_text }}。"
    )
    doc.add_paragraph("{{ charts.volume }}")
    doc.add_paragraph("{{ charts.sentiment }}")
    doc.add_heading("二、代表性信息", level=2)
    _table(
        doc,
        ["时间", "来源", "作者", "内容"],
        "v.representatives",
        ["x.when", "x.source", "x.author", "x.text"],
    )
    doc.add_heading("三、预警经过", level=2)
    _table(
        doc,
        ["时间", "动作", "级别", "依据"],
        "v.warnings",
        ["x.when", "x.kind_text ~ x.action", "x.level_name", "x.reasons_text"],
    )
    doc.add_heading("四、来源", level=2)
    _table(doc, ["来源", "条数"], "v.sources", ["x.name", "x.count"])
    doc.add_paragraph(
        "{% if v.incident %}处置 #{{ v.incident.id }}：{{ v.incident.state }}，"
        "{{ v.incident.level_name }}，牵头单位 {{ v.incident.lead_unit }}，开启于 "
        "{{ v.incident.opened }}，首次回应 {{ v.incident.answered }}。{% endif %}"
    )
    return doc


def review() -> Document:
    doc = _document()
    doc.add_heading("一、基本情况", level=2)
    doc.add_paragraph(
        "处置 #{{ v.incident.id }}「{{ v.incident.title }}」，最高级别 {{ v.incident.peak_level_name }}，"
        "牵头单位 {{ v.incident.lead_unit }}，涉事部门 {{ v.incident.departments_text }}；开启 "
        "{{ v.incident.opened }}，首次回应 {{ v.incident.answered }}，平息 {{ v.incident.subsided }}。"
    )
    doc.add_heading("二、用时与时限", level=2)
    figures = doc.add_table(rows=5, cols=2)
    figures.style = "Table Grid"
    for row, (name, key) in zip(
        figures.rows,
        [
            ("发现用时（分钟）", "minutes_to_detect"),
            ("报告用时（分钟）", "minutes_to_report"),
            ("首次回应用时（分钟）", "minutes_to_first_response"),
            ("平息用时（分钟）", "minutes_to_subside"),
        ],
        strict=False,
    ):
        row.cells[0].text = name
        row.cells[1].text = f"{{{{ v.figures.{key} if v.figures.{key} is not none else '—' }}}}"
    figures.rows[4].cells[0].text = "回应效果"
    figures.rows[4].cells[1].text = "{{ v.effect_text }}"
    _table(
        doc,
        ["时限", "责任单位", "截止", "完成", "结果"],
        "v.incident.deadlines",
        ["x.label", "x.owner", "x.due", "x.met", "x.outcome"],
    )
    doc.add_heading("三、交办", level=2)
    _table(
        doc,
        ["任务", "承办", "时限", "办结", "结果"],
        "v.tasks",
        ["x.title", "x.department", "x.due", "x.done", "x.result or '—'"],
    )
    doc.add_heading("四、回应", level=2)
    _table(
        doc,
        ["类型", "发布时间", "渠道", "内容"],
        "v.statements",
        ["x.kind", "x.when", "x.channel", "x.text"],
    )
    doc.add_heading("五、经验教训", level=2)
    doc.add_paragraph("{{ v.lessons }}")
    doc.add_heading("六、时间线", level=2)
    _table(doc, ["时间", "事项", "人员"], "v.timeline", ["x.when", "x.text", "x.actor"])
    return doc


def ledger() -> Document:
    doc = _document()
    _table(
        doc,
        ["编号", "处置", "最高级别", "状态", "牵头单位", "开启", "首次回应", "按时", "超时"],
        "v.incidents",
        [
            "x.id",
            "x.title",
            "x.peak_level_name",
            "x.state",
            "x.lead_unit",
            "x.opened",
            "x.answered",
            "x.met",
            "x.missed",
        ],
    )
    return doc


def flash() -> Document:
    doc = _document()
    table = doc.add_table(rows=7, cols=2)
    table.style = "Table Grid"
    rows = [
        ("事件", "{{ v.what }}"),
        ("时间", "首条信息 {{ v.when }}；开启处置 {{ v.incident.opened }}"),
        ("地点·来源", "{{ v.where }}"),
        ("传播情况", "{{ v.spread }}"),
        ("级别与依据", "{{ v.incident.level_name }}：{{ v.why }}"),
        ("已采取措施", "{{ v.measures | join('；') or '正在核实' }}"),
        ("下一步", "{{ v.next_steps | join('；') or '—' }}"),
    ]
    for row, (name, value) in zip(table.rows, rows, strict=True):
        row.cells[0].text, row.cells[1].text = name, value
    return doc


def build(out: Path = OUT) -> list[Path]:
    out.mkdir(exist_ok=True)
    written = []
    for name, make in (
        ("period", period),
        ("special", special),
        ("review", review),
        ("ledger", ledger),
        ("flash", flash),
    ):
        path = out / f"{name}.docx"
        make().save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build():
        print(p)
