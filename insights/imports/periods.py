"""Monthly periods from a CSV file or a spreadsheet: one row per month, one column per figure.

The columns (any order; case, spacing and punctuation do not matter; a column not listed is
refused, so a typo is not silently dropped):

==================  =====================================================================
field               headers accepted
==================  =====================================================================
month               Month, Period, Date
revenue             Revenue, Sales, Turnover, Income, Total income, Total revenue
cogs                COGS, Cost of sales, Cost of goods sold, Cost of revenue, Direct costs
operating_expenses  Operating expenses, Opex, Expenses, Overheads, Total expenses
payroll             Payroll, Wages, Salaries, Wages and salaries
net_income          Net income, Net profit, Profit, Net profit (loss)
cash_balance        Cash, Cash balance, Bank, Closing cash, Cash at bank
accounts_receivable Accounts receivable, Receivables, Debtors, AR, Trade debtors
accounts_payable    Accounts payable, Payables, Creditors, AP, Trade creditors
inventory_value     Inventory, Stock, Inventory value, Closing stock
==================  =====================================================================

A month is ``2025-01``, ``2025-01-01``, ``Jan 2025``, ``January 2025``, ``2025/01`` or a
spreadsheet date on the 1st. Amounts are plain decimals (``1234.56``, no thousands separators);
an empty cell is unknown, not zero.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from insights.imports.base import PeriodRows, Problem, fail, header_key
from insights.metrics import MONEY_FIELDS

ALIASES: dict[str, tuple[str, ...]] = {
    "month": ("month", "period", "date"),
    "revenue": ("revenue", "sales", "turnover", "income", "total income", "total revenue"),
    "cogs": (
        "cogs",
        "cost of sales",
        "cost of goods sold",
        "cost of revenue",
        "direct costs",
    ),
    "operating_expenses": (
        "operating expenses",
        "opex",
        "expenses",
        "overheads",
        "total expenses",
    ),
    "payroll": ("payroll", "wages", "salaries", "wages and salaries"),
    "net_income": ("net income", "net profit", "profit", "net profit loss"),
    "cash_balance": ("cash", "cash balance", "bank", "closing cash", "cash at bank"),
    "accounts_receivable": (
        "accounts receivable",
        "receivables",
        "debtors",
        "ar",
        "trade debtors",
    ),
    "accounts_payable": ("accounts payable", "payables", "creditors", "ap", "trade creditors"),
    "inventory_value": ("inventory", "stock", "inventory value", "closing stock"),
}
_BY_HEADER = {
    header_key(spelling): name
    for name, spellings in ALIASES.items()
    for spelling in (*spellings, name)
}
_MONTH_NAMES = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_TEXT_MONTH = re.compile(r"^([A-Za-z]+)\.?[ \-]+(\d{4})$")
_SLASH_MONTH = re.compile(r"^(\d{4})/(\d{1,2})$")


def looks_like_periods(header: Iterable[Any]) -> bool:
    names = {_BY_HEADER.get(header_key(str(cell))) for cell in header}
    return "month" in names and len(names - {None, "month"}) > 0


def header_map(header: list[Any], place: dict[str, Any]) -> list[str]:
    """Each column's field, or an error naming the first header that is not one."""
    fields: list[str] = []
    for cell in header:
        name = _BY_HEADER.get(header_key(str(cell)))
        if name is None:
            raise fail(
                "header",
                f"unknown column {str(cell)!r}; expected month and "
                + ", ".join(MONEY_FIELDS)
                + " (or a common spelling: Sales, Cost of sales, Wages, …)",
                column=str(cell),
                **place,
            )
        if name in fields:
            raise fail("header", f"two columns mean {name}", column=str(cell), **place)
        fields.append(name)
    if "month" not in fields:
        raise fail("header", "the header must name a Month column", **place)
    return fields


def month_text(value: Any) -> Any:
    """A month in one of the accepted spellings as ``YYYY-MM``; anything else unchanged, for
    ``parse_month`` to refuse with its message."""
    if isinstance(value, date):
        return value  # parse_month refuses a date that is not the 1st
    text = str(value).strip()
    match = _TEXT_MONTH.match(text)
    if match and match[1].lower() in _MONTH_NAMES:
        return f"{match[2]}-{_MONTH_NAMES[match[1].lower()]:02d}"
    match = _SLASH_MONTH.match(text)
    if match:
        return f"{match[1]}-{int(match[2]):02d}"
    return text


def periods_from_table(rows: Iterable[tuple[int, list[Any]]], *, unit: str) -> PeriodRows:
    """``rows`` from ``tables`` (``unit``: "line" for CSV, "row" for a sheet) as period rows."""

    def place(number: int) -> dict[str, Any]:
        return {"line": number} if unit == "line" else {"row": str(number)}

    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        raise fail("file", "is empty")
    header_number, header = first
    fields = header_map(header, place(header_number))
    columns = dict(zip(fields, (str(cell) for cell in header), strict=True))
    out: list[dict[str, Any]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    for number, cells in iterator:
        if len(cells) > len(fields):
            problems.append(Problem("row", "more values than columns", **place(number)))
            continue
        row = {name: cells[i] if i < len(cells) else None for i, name in enumerate(fields)}
        row["month"] = month_text(row["month"])
        out.append(row)
        numbers.append(number)

    def where(index: int, field: str) -> dict[str, Any]:
        spot = place(numbers[index]) if 0 <= index < len(numbers) else {}
        return {**spot, "column": columns.get(field)}

    return PeriodRows(out, where, problems=problems)
