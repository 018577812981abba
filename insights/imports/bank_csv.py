"""Bank statements exported as CSV: a date, a description, and an amount (or debit and credit
columns), optionally a running balance and the bank's transaction id.

Headers are recognised in their common spellings (below); other columns are ignored, with a
warning. When the header is not recognised, ``mapping`` names the file's columns:
``{"date": "Posting Date", "description": "Details", "amount": "Value", "balance": "Balance"}``.
Dates: ``2025-01-31``, ``31/01/2025`` or ``01/31/2025`` (which one is decided from the whole
file: a day above 12 settles it; a file where every date fits both needs ``date_format``),
``31.01.2025``, ``31 Jan 2025``, ``Jan 31, 2025``; or ``date_format`` in strptime's spelling.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from insights.financials import parse_amount
from insights.imports.base import Account, BankSink, Problem, StatementEnd, Txn, fail, header_key

ALIASES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "posting date",
        "posted date",
        "transaction date",
        "booking date",
        "value date",
        "posted on",
        "trans date",
    ),
    "description": (
        "description",
        "details",
        "narrative",
        "payee",
        "name",
        "merchant",
        "transaction description",
        "counterparty",
    ),
    "memo": ("memo", "notes", "reference", "remarks"),
    "amount": ("amount", "value", "transaction amount", "net amount"),
    "debit": ("debit", "debits", "paid out", "money out", "withdrawal", "withdrawals", "out"),
    "credit": ("credit", "credits", "paid in", "money in", "deposit", "deposits", "in"),
    "balance": ("balance", "running balance", "closing balance", "account balance"),
    "id": ("id", "transaction id", "fitid", "reference number", "transaction reference"),
    "currency": ("currency", "ccy"),
}
_BY_HEADER = {
    header_key(spelling): name for name, spellings in ALIASES.items() for spelling in spellings
}
MAPPING_KEYS = tuple(ALIASES)
DEFAULT_ACCOUNT = "Main account"
_FORMATS = ("%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%Y/%m/%d")


def column_for(header: Iterable[Any]) -> dict[str, int]:
    """The recognised columns: field -> index (the first column of each meaning)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _BY_HEADER.get(header_key(str(cell)))
        if name is None and header_key(str(cell)).startswith("amount "):
            name = "amount"  # "Amount (GBP)", "Amount USD"
        if name is not None and name not in found:
            found[name] = index
    return found


def looks_like_bank(header: Iterable[Any]) -> bool:
    found = column_for(header)
    return "date" in found and ("amount" in found or {"debit", "credit"} <= set(found))


def read_bank_csv(
    rows: list[tuple[int, list[str]]],
    sink: BankSink,
    *,
    mapping: dict[str, str] | None = None,
    date_format: str | None = None,
    account_name: str | None = None,
) -> None:
    if not rows:
        raise fail("file", "is empty")
    header_line, header = rows[0]
    columns = _columns(header, header_line, mapping)
    ignored = [h for i, h in enumerate(header) if i not in columns.values() and h]
    if ignored:
        sink.warning("columns ignored: " + ", ".join(ignored))
    body = rows[1:]
    if not body:
        raise fail("file", "has a header and no transactions", line=header_line)
    parse_date = _date_parser(
        [cells[columns["date"]] for _, cells in body if columns["date"] < len(cells)],
        date_format,
    )
    name = (account_name or DEFAULT_ACCOUNT).strip()[:120] or DEFAULT_ACCOUNT
    sink.account(Account(("csv", name.lower()), "", "", name))
    seen: Counter[tuple[Any, ...]] = Counter()
    dated: list[tuple[date, int, Decimal | None]] = []  # for the balance anchor
    for line, cells in body:
        try:
            txn, balance = _row(cells, columns, parse_date, line)
        except _RowError as exc:
            sink.problem(Problem(exc.field, exc.message, line=line, column=exc.column))
            continue
        if "id" not in columns or not txn.bank_id:
            key = (txn.posted_on, txn.amount, txn.payee, txn.memo)
            seen[key] += 1  # the same purchase twice in a day stays two transactions
            digest = hashlib.sha256(repr((*key, seen[key])).encode()).hexdigest()[:40]
            txn = Txn(txn.posted_on, txn.amount, f"csv:{digest}", txn.payee, txn.memo, "", line)
        sink.transaction(txn)
        dated.append((txn.posted_on, line, balance))
    sink.statement_end(_anchor(dated, "balance" in columns, sink))


def _columns(header: list[str], line: int, mapping: dict[str, str] | None) -> dict[str, int]:
    if mapping:
        unknown = sorted(set(mapping) - set(MAPPING_KEYS))
        if unknown:
            raise fail("mapping", f"unknown key {unknown[0]!r}; use {', '.join(MAPPING_KEYS)}")
        by_name = {cell: index for index, cell in enumerate(header)}
        columns = {}
        for key, name in mapping.items():
            if name not in by_name:
                raise fail(
                    f"mapping.{key}",
                    f"no column {name!r} in the header ({', '.join(header)})",
                    line=line,
                )
            columns[key] = by_name[name]
    else:
        columns = column_for(header)
    if "date" not in columns or not (
        "amount" in columns or ("debit" in columns and "credit" in columns)
    ):
        raise fail(
            "header",
            f"not a recognised bank export header ({', '.join(header)}): it needs a date and an "
            "amount (or debit and credit) column; send a mapping naming them",
            line=line,
        )
    return columns


class _RowError(Exception):
    def __init__(self, field: str, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.field, self.message, self.column = field, message, column


def _row(
    cells: list[str], columns: dict[str, int], parse_date: Callable[[str], date], line: int
) -> tuple[Txn, Decimal | None]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def money(name: str) -> Decimal | None:
        try:
            return parse_amount(name, cell(name), signed=True)
        except ValueError as exc:
            raise _RowError(name, str(exc)) from None

    raw_date = cell("date")
    if not raw_date:
        raise _RowError("date", "is empty")
    try:
        posted = parse_date(raw_date)
    except ValueError as exc:
        raise _RowError("date", str(exc)) from None
    if "amount" in columns:
        amount = money("amount")
        if amount is None:
            raise _RowError("amount", "is empty")
    else:
        debit, credit = money("debit"), money("credit")
        if debit is None and credit is None:
            raise _RowError("amount", "both debit and credit are empty")
        amount = (credit or Decimal(0)) - abs(debit or Decimal(0))
    description, memo = cell("description"), cell("memo")
    txn = Txn(
        posted_on=posted,
        amount=amount,
        bank_id=cell("id")[:255],
        payee=(description or memo)[:255],
        memo=memo[:255],
        line=line,
    )
    return txn, money("balance") if "balance" in columns else None


def _date_parser(samples: list[str], date_format: str | None) -> Callable[[str], date]:
    if date_format:

        def given(text: str) -> date:
            try:
                return datetime.strptime(text, date_format).date()  # noqa: DTZ007 - a day
            except ValueError:
                raise ValueError(f"{text!r} does not match date_format {date_format!r}") from None

        return given
    slashed = [s.split("/") for s in samples if s.count("/") == 2 and len(s.split("/")[0]) <= 2]
    day_first = any(_int(p[0]) > 12 for p in slashed)
    month_first = any(_int(p[1]) > 12 for p in slashed)
    if day_first and month_first:
        raise fail("date", "the file mixes day/month and month/day dates; send date_format")
    if slashed and not day_first and not month_first:
        raise fail(
            "date",
            "every date fits both day/month and month/day; send date_format (%d/%m/%Y or %m/%d/%Y)",
        )
    slash_format = "%d/%m/%Y" if day_first else "%m/%d/%Y"

    def parse(text: str) -> date:
        text = text.strip()
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
        formats = (slash_format, slash_format.replace("%Y", "%y"), *_FORMATS)
        for fmt in formats:
            try:
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day
            except ValueError:
                continue
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, …)")

    return parse


def _int(text: str) -> int:
    return int(text) if text.strip().isdigit() else 0


def _anchor(
    dated: list[tuple[date, int, Decimal | None]], has_balance: bool, sink: BankSink
) -> StatementEnd:
    """The ledger balance: the running balance after the statement's last transaction (files
    list newest first or oldest first; the dates say which)."""
    if not dated:
        return StatementEnd(None, None)
    start = min(d for d, _, _ in dated)
    end = max(d for d, _, _ in dated)
    if not has_balance:
        sink.warning(
            "no balance column: the transactions are imported, but the daily cash balance "
            "cannot be known from this file"
        )
        return StatementEnd(None, None, start, end)
    newest_first = dated[0][0] > dated[-1][0]
    last = dated[0] if newest_first else dated[-1]
    if last[2] is None:
        sink.problem(Problem("balance", "is empty on the statement's last row", line=last[1]))
        return StatementEnd(None, None, start, end)
    return StatementEnd(last[2], last[0], start, end)
