"""The monthly periods template, as CSV and as XLSX: the columns, no invented figures."""

from __future__ import annotations

import csv
import io

from insights.metrics import MONEY_FIELDS

COLUMNS = ("month", *MONEY_FIELDS)
HELP = (
    ("month", "The month: 2025-01 (or Jan 2025, or a date on the 1st)."),
    ("revenue", "Sales recognised in the month."),
    ("cogs", "Cost of goods sold (cost of sales)."),
    ("operating_expenses", "Operating expenses, payroll included."),
    ("payroll", "Wages and salaries (part of operating expenses)."),
    ("net_income", "Net profit; negative for a loss."),
    ("cash_balance", "Cash at the end of the month; negative when overdrawn."),
    ("accounts_receivable", "Owed by customers at the end of the month."),
    ("accounts_payable", "Owed to suppliers at the end of the month."),
    ("inventory_value", "Stock at cost at the end of the month."),
)


def template_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(COLUMNS)
    return out.getvalue().encode()


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet  # noqa: S101
    sheet.title = "Periods"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet("Help")
    help_sheet.append(["column", "what it holds"])
    for row in HELP:
        help_sheet.append(list(row))
    help_sheet.append([])
    help_sheet.append(["", "Amounts are plain numbers (1234.56). Leave a cell empty when unknown."])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
