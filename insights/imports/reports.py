"""Accounting reports as JSON, flattened into monthly periods by their section groups.

* QuickBooks Online Reports API: ``ProfitAndLoss`` and ``BalanceSheet`` with
  ``summarize_column_by=Month`` (one report, or a JSON list of them). Sections are found by
  their ``group`` (Income, COGS, Expenses, NetIncome; BankAccounts, AR, AP), at any depth.
* Xero Reports API: ``{"Reports": [...]}`` holding ``ProfitAndLoss`` and/or ``BalanceSheet``
  with one column per month. Sections are found by their title (spaces and a leading "Less"
  ignored: Income, Cost of Sales, Operating Expenses, Bank) and rows by name (Net Profit,
  Accounts Receivable, Inventory, Accounts Payable).

Amounts are strings in both; each goes through the periods' own cleaning, and an error names
the report row and the column (the month). A report whose structure is none of these is refused
with what was found instead.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from insights.imports.base import PeriodRows, fail

_PAYROLL = re.compile(r"payroll|wage|salar", re.IGNORECASE)
_INVENTORY = re.compile(r"inventory|stock", re.IGNORECASE)
_SUM_FIELDS = frozenset({"payroll", "inventory_value"})  # several rows add up to the figure


class _Periods:
    """Values by month and field, with where each came from."""

    def __init__(self) -> None:
        self.values: dict[date, dict[str, Any]] = {}
        self.places: dict[date, dict[str, dict[str, Any]]] = {}
        self.warnings: list[str] = []

    def put(self, month: date, field: str, raw: Any, row: str, column: str) -> None:
        values = self.values.setdefault(month, {"month": f"{month:%Y-%m}"})
        places = self.places.setdefault(month, {})
        if field in _SUM_FIELDS and field in values:
            values[field] = _add(values[field], raw)
            places[field] = {"row": f"{places[field]['row']} + {row}", "column": column}
            return
        values[field] = raw
        places[field] = {"row": row, "column": column}

    def result(self) -> PeriodRows:
        if not self.values:
            raise fail("report", "has no month with a figure this importer reads")
        months = sorted(self.values)

        def where(index: int, field: str) -> dict[str, Any]:
            if not 0 <= index < len(months):
                return {}
            month = months[index]
            return self.places[month].get(field) or {"column": f"{month:%Y-%m}"}

        return PeriodRows([self.values[m] for m in months], where, warnings=self.warnings)


def _add(a: Any, b: Any) -> Any:
    """Two report amounts added as text, so the sum is cleaned like any amount (an amount that
    is not a number stays as it is, for the cleaning to refuse with its place)."""
    from decimal import Decimal, InvalidOperation

    try:
        return str(Decimal(str(a or 0)) + Decimal(str(b or 0)))
    except InvalidOperation:
        return a if str(a or "").strip() else b


def _month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


# --- QuickBooks Online -------------------------------------------------------------------------

_QB_PNL = {"Income": "revenue", "COGS": "cogs", "Expenses": "operating_expenses"}
_QB_BS = {"BankAccounts": "cash_balance", "AR": "accounts_receivable", "AP": "accounts_payable"}


def looks_like_quickbooks(doc: Any) -> bool:
    reports = doc if isinstance(doc, list) else [doc]
    return all(isinstance(r, dict) and "Header" in r and "Rows" in r for r in reports) and bool(
        reports
    )


def read_quickbooks(doc: Any) -> PeriodRows:
    out = _Periods()
    for report in doc if isinstance(doc, list) else [doc]:
        _qb_report(report, out)
    return out.result()


def _qb_report(report: dict[str, Any], out: _Periods) -> None:
    header = report.get("Header") or {}
    name = header.get("ReportName")
    if name not in {"ProfitAndLoss", "BalanceSheet"}:
        raise fail(
            "Header.ReportName",
            f"unknown QuickBooks report {name!r}; expected ProfitAndLoss or BalanceSheet",
        )
    by = header.get("SummarizeColumnsBy")
    if by != "Month":
        raise fail(
            "Header.SummarizeColumnsBy",
            f"is {by!r}; run the report with summarize_column_by=Month",
        )
    columns = _qb_columns(report, name, out)
    rows = (report.get("Rows") or {}).get("Row")
    if not isinstance(rows, list):
        raise fail("Rows.Row", "is missing: not a QuickBooks report body")
    groups_seen: set[str] = set()
    found = 0
    for row, parents in _qb_walk(rows, ()):
        group = row.get("group") or ""
        groups_seen.add(group)
        if name == "ProfitAndLoss":
            if group in _QB_PNL and "Summary" in row:
                found += _qb_values(row["Summary"], columns, _QB_PNL[group], out)
            elif group == "NetIncome":
                found += _qb_values(row.get("Summary") or row, columns, "net_income", out)
            elif (
                "Expenses" in parents
                and _PAYROLL.search(_qb_name(row))
                and not any(p.startswith("payroll:") for p in parents)  # counted once, outermost
            ):
                found += _qb_values(row.get("Summary") or row, columns, "payroll", out)
        else:
            if group in _QB_BS and "Summary" in row:
                found += _qb_values(row["Summary"], columns, _QB_BS[group], out)
            elif (
                row.get("type") == "Data"
                and _INVENTORY.search(_qb_name(row))
                and parents
                and parents[-1] in {"OtherCurrentAssets", "CurrentAssets"}
            ):
                found += _qb_values(row, columns, "inventory_value", out)
    if not found:
        seen = ", ".join(sorted(g for g in groups_seen if g)) or "none"
        raise fail(
            "Rows",
            f"unknown {name} structure: no section group this importer reads (groups seen: "
            f"{seen}; expected {', '.join([*_QB_PNL, 'NetIncome', *_QB_BS])})",
        )


def _qb_columns(report: dict[str, Any], name: str, out: _Periods) -> list[tuple[date, str] | None]:
    columns = (report.get("Columns") or {}).get("Column")
    if not isinstance(columns, list) or len(columns) < 2:
        raise fail("Columns.Column", "is missing: not a QuickBooks report")
    result: list[tuple[date, str] | None] = []
    for column in columns:
        meta = {m.get("Name"): m.get("Value") for m in column.get("MetaData") or [] if m}
        title = str(column.get("ColTitle") or meta.get("ColKey") or "")
        try:
            start = date.fromisoformat(str(meta.get("StartDate")))
            end = date.fromisoformat(str(meta.get("EndDate")))
        except ValueError:
            result.append(None)  # the account column, the total column
            continue
        whole = (
            start.day == 1
            and _month_end(end)
            and (start.year, start.month)
            == (
                end.year,
                end.month,
            )
        )
        if name == "BalanceSheet" and _month_end(end):
            result.append((end.replace(day=1), title))
        elif whole:
            result.append((start, title))
        else:
            out.warnings.append(
                f"column {title!r} is not a whole month ({start} to {end}): skipped"
            )
            result.append(None)
    if not any(result):
        raise fail("Columns.Column", "has no month column; run with summarize_column_by=Month")
    return result


def _qb_name(row: dict[str, Any]) -> str:
    cells = ((row.get("Header") or row).get("ColData") or [{}])[0]
    return str(cells.get("value") or "")


def _qb_walk(
    rows: list[Any], parents: tuple[str, ...]
) -> Iterator[tuple[dict[str, Any], tuple[str, ...]]]:
    for row in rows:
        if not isinstance(row, dict):
            continue
        yield row, parents
        inner = (row.get("Rows") or {}).get("Row")
        if isinstance(inner, list):
            label = row.get("group") or _qb_name(row)
            if _PAYROLL.search(_qb_name(row)):
                label = f"payroll:{label}"
            yield from _qb_walk(inner, (*parents, label))


def _qb_values(
    holder: dict[str, Any], columns: list[tuple[date, str] | None], field: str, out: _Periods
) -> int:
    cells = holder.get("ColData")
    if not isinstance(cells, list):
        return 0
    label = str((cells[0] or {}).get("value") or field) if cells else field
    count = 0
    for cell, column in zip(cells, columns, strict=False):
        if column is None or not isinstance(cell, dict):
            continue
        month, title = column
        out.put(month, field, cell.get("value"), label, title)
        count += 1
    return count


# --- Xero --------------------------------------------------------------------------------------

_XERO_SECTIONS = {
    "income": "revenue",
    "revenue": "revenue",
    "trading income": "revenue",
    "sales": "revenue",
    "cost of sales": "cogs",
    "cost of goods sold": "cogs",
    "direct costs": "cogs",
    "operating expenses": "operating_expenses",
    "expenses": "operating_expenses",
    "overheads": "operating_expenses",
    "bank": "cash_balance",
}
_XERO_IGNORED = {
    "",
    "gross profit",
    "other income",
    "other expenses",
    "non operating expenses",
    "assets",
    "current assets",
    "fixed assets",
    "non current assets",
    "liabilities",
    "current liabilities",
    "non current liabilities",
    "equity",
    "net assets",
}
_XERO_ROWS = {
    "net profit": "net_income",
    "net income": "net_income",
    "net loss": "net_income",
    "net profit loss": "net_income",
    "accounts receivable": "accounts_receivable",
    "trade debtors": "accounts_receivable",
    "debtors": "accounts_receivable",
    "accounts payable": "accounts_payable",
    "trade creditors": "accounts_payable",
    "creditors": "accounts_payable",
}
_XERO_DATES = ("%d %b %y", "%d %b %Y", "%b %y", "%b %Y", "%b-%y", "%B %Y", "%Y-%m-%d")


def looks_like_xero(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("Reports"), list)


def _norm(title: Any) -> str:
    words = re.sub(r"[^a-z]+", " ", str(title or "").lower()).split()
    if words and words[0] in {"less", "plus"}:
        words = words[1:]
    return " ".join(words)


def read_xero(doc: Any) -> PeriodRows:
    out = _Periods()
    reports = doc.get("Reports") or []
    if not reports:
        raise fail("Reports", "is empty")
    for index, report in enumerate(reports):
        if not isinstance(report, dict):
            raise fail(f"Reports[{index}]", "is not a report object")
        _xero_report(report, index, out)
    return out.result()


def _xero_report(report: dict[str, Any], index: int, out: _Periods) -> None:
    kind = report.get("ReportType") or report.get("ReportID")
    if kind not in {"ProfitAndLoss", "BalanceSheet"}:
        raise fail(
            f"Reports[{index}].ReportType",
            f"unknown Xero report {kind!r}; expected ProfitAndLoss or BalanceSheet",
        )
    rows = report.get("Rows")
    if not isinstance(rows, list) or not rows or rows[0].get("RowType") != "Header":
        raise fail(f"Reports[{index}].Rows", "has no Header row: not a Xero report body")
    columns = [_xero_month(cell.get("Value")) for cell in rows[0].get("Cells") or []]
    titles = [str(cell.get("Value") or "") for cell in rows[0].get("Cells") or []]
    if not any(columns):
        raise fail(
            f"Reports[{index}].Rows[0]",
            f"no month in the header ({', '.join(t for t in titles if t) or 'empty'})",
        )
    found, unknown = 0, []
    for section in rows[1:]:
        if not isinstance(section, dict) or section.get("RowType") != "Section":
            continue
        title = _norm(section.get("Title"))
        field = _XERO_SECTIONS.get(title)
        if field is None and title not in _XERO_IGNORED:
            unknown.append(str(section.get("Title")).strip())
        for row in section.get("Rows") or []:
            cells = row.get("Cells") or [] if isinstance(row, dict) else []
            if not cells:
                continue
            name = str(cells[0].get("Value") or "").strip()
            key = _norm(name)
            target = None
            if row.get("RowType") == "SummaryRow" and field is not None:
                target = field
            elif key in _XERO_ROWS:
                target = _XERO_ROWS[key]
            elif field == "operating_expenses" and _PAYROLL.search(name):
                target = "payroll"
            elif kind == "BalanceSheet" and _INVENTORY.search(name) and row.get("RowType") == "Row":
                target = "inventory_value"
            if target is None:
                continue
            for cell, month, title_text in zip(cells[1:], columns[1:], titles[1:], strict=False):
                if month is not None:
                    out.put(month, target, cell.get("Value"), name, title_text)
                    found += 1
    if unknown:
        out.warnings.append("sections not read: " + ", ".join(unknown))
    if not found:
        raise fail(
            f"Reports[{index}].Rows",
            f"unknown {kind} structure: no section or row this importer reads (expected "
            "Income, Cost of Sales, Operating Expenses, Net Profit; Bank, Accounts Receivable, "
            "Accounts Payable)",
        )


def _xero_month(value: Any) -> date | None:
    text = str(value or "").strip()
    for fmt in _XERO_DATES:
        try:
            return datetime.strptime(text, fmt).date().replace(day=1)  # noqa: DTZ007 - a day
        except ValueError:
            continue
    return None
