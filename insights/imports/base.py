"""What every importer shares: where an error is, the rows they produce, the bank events."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

# Enough to fix a file in one go, short enough to read (the preview shows them all).
MAX_PROBLEMS = 50
# A spreadsheet or CSV: a bank export of ten busy years fits; beyond it is not a statement.
MAX_ROWS = 200_000
MAX_COLUMNS = 64


@dataclass(frozen=True)
class Problem:
    """One error, at its place: a line (CSV, OFX), a spreadsheet row, or a report's row and
    column; ``field`` names the value (a period field, a CSV column, an OFX element)."""

    field: str
    message: str
    line: int | None = None
    row: str | None = None
    column: str | None = None

    def place(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row!r}" if not self.row.isdigit() else f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts) or "file"

    def sentence(self) -> str:
        return f"{self.place()}, {self.field}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


class ImportFailed(Exception):
    """The file cannot be imported; nothing was written. ``problems`` say where and why."""

    def __init__(self, problems: list[Problem], kind: str = "") -> None:
        super().__init__(problems[0].sentence() if problems else "import failed")
        self.problems = problems
        self.kind = kind


def fail(field: str, message: str, **place: Any) -> ImportFailed:
    return ImportFailed([Problem(field, message, **place)])


# Where a period's field came from, to name it in an error: (row index, field) -> place.
Where = Callable[[int, str], dict[str, Any]]


@dataclass
class PeriodRows:
    """Monthly periods as the file gave them (raw values, cleaned by ``clean_periods``)."""

    rows: list[dict[str, Any]]
    where: Where
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Account:
    """A statement's account: ``ids`` are the bank's identifiers (digested, never stored)."""

    ids: tuple[str, ...]
    account_type: str = ""
    currency: str = ""
    name: str = ""

    @property
    def key(self) -> str:
        return hashlib.sha256("\x1f".join(self.ids).encode()).hexdigest()

    @property
    def mask(self) -> str:
        digits = re.sub(r"\W", "", self.ids[-1]) if self.ids else ""
        return f"••{digits[-4:]}" if digits else ""


@dataclass(frozen=True)
class Txn:
    posted_on: date
    amount: Decimal
    bank_id: str
    payee: str = ""
    memo: str = ""
    kind: str = ""
    line: int | None = None  # where the file has it, to name it in an error


@dataclass(frozen=True)
class StatementEnd:
    """The end of one statement: its ledger balance (the daily cash anchor) and its days."""

    balance: Decimal | None
    as_of: date | None
    start: date | None = None
    end: date | None = None


class BankSink(Protocol):
    """Where a bank importer pushes what it reads, in file order: an account, its
    transactions, the statement's end; problems as they are found."""

    def account(self, account: Account) -> None: ...

    def transaction(self, txn: Txn) -> None: ...

    def statement_end(self, end: StatementEnd) -> None: ...

    def problem(self, problem: Problem) -> None: ...

    def warning(self, message: str) -> None: ...


def payee_key(payee: str) -> str:
    """A payee as its payments are grouped: case, digits (card and reference numbers) and
    punctuation do not make another payee."""
    words = re.sub(r"[^a-z]+", " ", payee.lower()).split()
    return " ".join(words)[:255]


def header_key(name: str) -> str:
    """A column header as it is matched: case, spaces, punctuation and a BOM ignored."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower().replace("\ufeff", "")).split())
