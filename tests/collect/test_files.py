import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from yuqing.collect.files import FileError, file_format, read_records


def _records(data: bytes, fmt: str) -> tuple[str, list]:
    enc, recs = read_records(data, fmt)
    return enc, list(recs)


def test_jsonl_reports_bad_lines_by_number() -> None:
    lines = [
        json.dumps({"text": "好"}, ensure_ascii=False),
        "{broken",
        "",
        "[1, 2]",
        json.dumps({"text": "也好"}, ensure_ascii=False),
    ]
    _, recs = _records("\n".join(lines).encode(), "jsonl")
    assert [(r.ref, r.data is not None) for r in recs] == [
        (1, True),
        (2, False),
        (4, False),
        (5, True),
    ]
    assert "invalid JSON at column 2" in recs[1].error
    assert "expected a JSON object" in recs[2].error


def test_gbk_jsonl_is_decoded() -> None:
    data = "\n".join(
        json.dumps({"text": t}, ensure_ascii=False)
        for t in ["某县人民医院回应网友反映的问题", "卫健委通报调查结果"]
    ).encode("gbk")
    enc, recs = _records(data, "jsonl")
    assert enc == "gb18030"
    assert recs[1].data == {"text": "卫健委通报调查结果"}


def test_a_line_with_undecodable_bytes_is_reported_alone() -> None:
    good = json.dumps({"text": "某县人民医院回应网友反映的问题"}, ensure_ascii=False).encode()
    data = b"\n".join([good, good, b'{"text": "\xff\xfe"}', good, good])
    _, recs = _records(data, "jsonl")
    assert [r.ref for r in recs if r.error] == [3]
    assert "not valid utf-8" in recs[2].error
    assert sum(1 for r in recs if r.data) == 4


def test_oversized_line_is_refused() -> None:
    data = json.dumps({"text": "字" * 400_000}, ensure_ascii=False).encode() + b"\n{}"
    _, recs = _records(data, "jsonl")
    assert "longer than" in recs[0].error


def test_csv_with_quoted_newlines_and_big5() -> None:
    text = 'id,text,reads\n1,"第一行\n第二行",5\n2,縣政府回應,7\n3,a,b,c,d\n'
    _, recs = _records(text.encode("big5"), "csv")
    assert recs[0].ref == 2 and recs[0].data == {"id": "1", "text": "第一行\n第二行", "reads": "5"}
    assert recs[1].ref == 4 and recs[1].data["text"] == "縣政府回應"
    assert recs[2].ref == 5 and "fields but the header has" in recs[2].error


def test_xlsx_rows_keep_types() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "text", "published_at", "reads"])
    sheet.append([1, "表格导入", datetime(2026, 11, 3, 10, 21), 30.0])
    sheet.append([None, None, None, None])
    sheet.append([2, "第二条", "2026-11-04 08:00", 4])
    buf = io.BytesIO()
    book.save(buf)
    enc, recs = _records(buf.getvalue(), "xlsx")
    assert enc == "xlsx"
    assert recs[0].ref == 2 and recs[0].data["published_at"] == datetime(2026, 11, 3, 10, 21)
    assert recs[0].data["reads"] == 30
    assert recs[1].ref == 4


def test_broken_files_are_refused_whole() -> None:
    with pytest.raises(FileError, match="XLSX"):
        _records(b"not a zip", "xlsx")
    with pytest.raises(FileError, match="line 1 column"):
        _records(b"[{]", "json")
    with pytest.raises(FileError, match="unsupported"):
        file_format(Path("items.docx"))


def test_json_array() -> None:
    _, recs = _records(json.dumps([{"text": "a"}, 3]).encode(), "json")
    assert recs[0].data == {"text": "a"} and recs[1].error
