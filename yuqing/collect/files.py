"""Reading item files (JSON Lines, JSON, CSV/TSV, XLSX) into records, one per line or row.

A bad line never stops a file: it becomes a record with an error naming the line and the reason.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from yuqing.text.encoding import decode

MAX_LINE_BYTES = 1024 * 1024
FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "jsonl",
    ".xlsx": "xlsx",
}
TOO_DEEP = "JSON nested too deeply to read"
UNITS = {"jsonl": "line", "json": "item", "csv": "line", "tsv": "line", "xlsx": "row"}


class FileError(ValueError):
    """The file as a whole cannot be read (wrong type, not a spreadsheet, broken JSON array)."""


@dataclass(frozen=True)
class Record:
    ref: int
    data: dict[str, Any] | None
    error: str | None = None


def file_format(path: Path, declared: str | None = None) -> str:
    fmt = declared or FORMATS.get(path.suffix.lower())
    if fmt not in UNITS:
        raise FileError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'}; "
            "use .jsonl, .json, .csv, .tsv or .xlsx (or --format)"
        )
    return fmt


def read_records(
    data: bytes, fmt: str, encoding: str | None = None
) -> tuple[str, Iterator[Record]]:
    """The encoding used (or 'xlsx') and the records of the file's content."""
    if fmt == "xlsx":
        return "xlsx", _xlsx(data)
    decoded = decode(data, encoding)
    text = decoded.text.lstrip("\ufeff")
    if fmt == "json" and text.lstrip().startswith("["):
        return decoded.encoding, _json_array(text)
    if fmt in ("csv", "tsv"):
        return decoded.encoding, _csv(
            text, "\t" if fmt == "tsv" else ",", decoded.lossy, decoded.encoding
        )
    return decoded.encoding, _jsonl(text, decoded.lossy, decoded.encoding)


def _bad_bytes(encoding: str) -> str:
    return f"bytes that are not valid {encoding}; the line was skipped"


def _object(value: Any) -> tuple[dict[str, Any] | None, str | None]:
    if isinstance(value, dict):
        return value, None
    return None, f"expected a JSON object, got {type(value).__name__}"


def _jsonl(text: str, lossy: bool, encoding: str) -> Iterator[Record]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) * 3 > MAX_LINE_BYTES and len(line.encode("utf-8")) > MAX_LINE_BYTES:
            yield Record(number, None, f"line longer than {MAX_LINE_BYTES // 1024} KiB")
            continue
        if lossy and "\ufffd" in line:
            yield Record(number, None, _bad_bytes(encoding))
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Record(number, None, f"invalid JSON at column {exc.colno}: {exc.msg}")
            continue
        except RecursionError:
            yield Record(number, None, TOO_DEEP)
            continue
        obj, err = _object(value)
        yield Record(number, obj, err)


def _json_array(text: str) -> Iterator[Record]:
    try:
        values = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise FileError(TOO_DEEP) from exc
    for number, value in enumerate(values, start=1):
        obj, err = _object(value)
        yield Record(number, obj, err)


def _csv(text: str, delimiter: str, lossy: bool, encoding: str) -> Iterator[Record]:
    csv.field_size_limit(MAX_LINE_BYTES)  # a long article is a field; as long as a JSON line
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    line = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            yield Record(line, None, f"unreadable CSV: {exc}")
            continue
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [h.strip().lower() for h in row]
            continue
        if lossy and any("\ufffd" in cell for cell in row):
            yield Record(start, None, _bad_bytes(encoding))
            continue
        if len(row) > len(header):
            yield Record(start, None, f"{len(row)} fields but the header has {len(header)}")
            continue
        yield Record(start, dict(zip(header, row, strict=False)))


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value  # naive: intake reads it as Asia/Shanghai
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _xlsx(data: bytes) -> Iterator[Record]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise FileError(f"not a readable XLSX workbook: {exc}") from exc
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not any(v not in (None, "") for v in row):
                continue
            if header is None:
                header = [str(h).strip().lower() if h is not None else "" for h in row]
                continue
            values = {h: _cell(v) for h, v in zip(header, row, strict=False) if h and v is not None}
            yield Record(number, values)
    finally:
        book.close()
