"""Rows of a CSV file or of a spreadsheet's first sheet, read strictly and within limits.

Both give ``(number, cells)``: the CSV line a record starts on, or the spreadsheet row, so every
error can name it. Blank records are skipped. Spreadsheets go through openpyxl in read-only mode,
which parses their XML with defusedxml (installed), so no entity is ever expanded.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from insights.imports.base import MAX_COLUMNS, MAX_ROWS, ImportFailed, fail

# An .xlsx is a zip of XML: refuse one that unpacks to far more than any real workbook (a zip
# bomb) before openpyxl opens it.
MAX_XLSX_UNPACKED = 200 * 2**20
ENCODINGS = ("utf-8-sig", "cp1252")


def decode_text(data: bytes) -> str:
    """The file as text: UTF-8 (with or without BOM), else Windows-1252, as banks export."""
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise fail("file", "contains a NUL character: not a text file")
        return text
    raise fail("file", "is neither UTF-8 nor Windows-1252 text")


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record and the line it starts on. Strict: an unterminated quote or text
    after a closing quote is an error naming the line, never a record guessed at."""
    dialect = _dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect, strict=True)
    count = 0
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise fail("file", f"malformed CSV ({exc})", line=start) from None
        if not any(cell.strip() for cell in record):
            continue
        count += 1
        if count > MAX_ROWS:
            raise fail("file", f"more than {MAX_ROWS:,} rows", line=start)
        if len(record) > MAX_COLUMNS:
            raise fail("file", f"more than {MAX_COLUMNS} columns", line=start)
        yield start, [cell.strip() for cell in record]


def _dialect(text: str) -> type[csv.Dialect]:
    """Comma, semicolon or tab, as the header line says (European exports use semicolons)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","

    class Dialect(csv.excel):
        delimiter = sep

    return Dialect


def xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """Each non-blank row of the workbook's first sheet and its row number. Cells keep their
    types: dates as ``date``, numbers as ``Decimal`` (a float that is a cent amount up to
    floating-point noise is rounded to it), text stripped."""
    from openpyxl import load_workbook  # imported here: only spreadsheet imports pay for it

    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise fail("file", f"is not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise fail("file", "the workbook has no sheet")
        count = 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(value) for value in row]
            while cells and cells[-1] == "":
                cells.pop()
            if not cells:
                continue
            count += 1
            if count > MAX_ROWS:
                raise fail("file", f"more than {MAX_ROWS:,} rows", row=str(number))
            if len(cells) > MAX_COLUMNS:
                raise fail("file", f"more than {MAX_COLUMNS} columns", row=str(number))
            yield number, cells
    finally:
        book.close()


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise fail("file", "is not a readable .xlsx workbook (not a zip archive)") from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise fail(
            "file", f"unpacks to more than {MAX_XLSX_UNPACKED // 2**20} MB: not a plain workbook"
        )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        cents = round(value, 2)
        return Decimal(str(cents)) if abs(value - cents) < 1e-6 else Decimal(repr(value))
    return str(value).strip()


__all__ = ["ImportFailed", "csv_rows", "decode_text", "xlsx_rows"]
