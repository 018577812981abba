"""One import: a file read by its importer and written as one import record, all or nothing.

``run_import`` detects the kind (unless given), reads the file, and in one transaction writes the
record, the periods (through ``clean_periods``/``upsert_periods``, the one definition of a
period), the accounts, transactions and statement balances, what the statements say of closed
months the books are silent on (``_Writer._fill_cash``), and the unusual movements; then today's
insight is re-scored once. Any error anywhere rolls all of it back and is reported with its
place. A dry run does the same work and
rolls it back, so its summary and errors are exactly what the import would give.

``undo_import`` takes an import back: its transactions and balances go (those a later statement
also holds are handed to it), and every period it wrote returns to the values it had before,
unless something wrote that period since (then the undo is refused, naming the month).
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.utils import timezone

from gateway.models import Tenant
from insights.daily import books_changed
from insights.financials import (
    MAX_PERIODS_PER_REQUEST,
    PeriodError,
    clean_periods,
    upsert_periods,
)
from insights.imports import bank_csv, cash, detect, ofx, periods, reports, tables
from insights.imports.base import (
    MAX_PROBLEMS,
    Account,
    ImportFailed,
    PeriodRows,
    Problem,
    StatementEnd,
    Txn,
    fail,
    payee_key,
)
from insights.imports.models import (
    BANK_KINDS,
    BankAccount,
    BankTransaction,
    DataImport,
    ImportKind,
    ImportStatus,
    MovementAlert,
    SeenAgain,
    StatementBalance,
)
from insights.metrics import MONEY_FIELDS
from insights.models import FinancialPeriod

MAX_UPLOAD_BYTES = 20 * 2**20
PERIOD_KINDS = frozenset(
    {ImportKind.PERIODS_CSV, ImportKind.PERIODS_XLSX, ImportKind.QUICKBOOKS, ImportKind.XERO}
)
# Transactions are written in chunks of this many rows, each one INSERT … ON CONFLICT.
CHUNK = 2000
# A posting date this far past the tenant's today is a wrong date, not a pending payment.
FUTURE_SLACK = timedelta(days=7)
MAX_WARNINGS = 20
# What a closed month the statements cover whole takes from them when its books are silent
# (``_Writer._fill_cash``), besides its net income.
CASH_BASIS = ("revenue", "operating_expenses")


@dataclass
class Options:
    mapping: dict[str, str] | None = None  # bank CSV: field -> the file's column name
    date_format: str | None = None  # bank CSV: strptime format of the dates
    account: str | None = None  # bank CSV: the account's name (default "Main account")


@dataclass
class Outcome:
    record: DataImport | None  # None for a dry run
    kind: str
    summary: dict[str, Any]
    warnings: list[str]
    periods: list[dict[str, Any]] = field(default_factory=list)


class UndoRefused(Exception):
    """The import cannot be undone as asked; ``field`` and the message say why."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def clean_file_name(name: str) -> str:
    """The name as shown in the history: its last path part, printable, at most 255 chars."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    text = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return text.strip()[:255]


def run_import(
    tenant: Tenant,
    user: Any,
    source: bytes | BinaryIO,
    *,
    file_name: str = "",
    kind: str | None = None,
    dry_run: bool = False,
    options: Options | None = None,
) -> Outcome:
    """Import ``source`` (the file's bytes, or a seekable binary file: a bank statement is then
    read from it block by block, never whole)."""
    options = options or Options()
    upload: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else source
    size, digest = _measure(upload)
    if size > MAX_UPLOAD_BYTES:
        raise fail("file", f"is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    try:
        if kind:
            chosen = ImportKind(kind)
        else:
            upload.seek(0)
            head = upload.read(detect.HEAD_BYTES)
            chosen = detect.detect_head(head) or detect.detect(head + upload.read())
    except ValueError:
        raise fail("kind", f"unknown kind {kind!r}; one of {', '.join(ImportKind)}") from None
    except ImportFailed as exc:
        exc.kind = ""
        raise
    try:
        with transaction.atomic():
            _lock_tenant(tenant)
            record = DataImport.objects.create(
                tenant=tenant,
                created_by=user if getattr(user, "pk", None) else None,
                file_name=clean_file_name(file_name),
                size=size,
                sha256=digest,
                kind=chosen,
            )
            writer = _Writer(tenant, record)
            _read(chosen, upload, writer, options)
            writer.finish()
            outcome = Outcome(
                None if dry_run else record,
                chosen,
                writer.summary(),
                writer.warnings,
                writer.period_preview(),
            )
            record.summary, record.warnings = outcome.summary, outcome.warnings
            record.period_changes = writer.period_changes()
            record.save(update_fields=["summary", "warnings", "period_changes"])
            if dry_run:
                transaction.set_rollback(True)
                return outcome
            if writer.added:
                from insights.imports.movements import raise_alerts

                raise_alerts(tenant, record)
            if writer.changed_books:
                books_changed(tenant)  # today's insight follows the new books and news
            return outcome
    except ImportFailed as exc:
        exc.kind = chosen
        raise


def _lock_tenant(tenant: Tenant) -> None:
    """One import or undo at a time per tenant: the undo's "changed since" check stays true."""
    key = zlib.crc32(f"coach-import:{tenant.pk}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _measure(upload: BinaryIO) -> tuple[int, str]:
    """The file's size and SHA-256, read in blocks."""
    upload.seek(0)
    digest = hashlib.sha256()
    size = 0
    while block := upload.read(2**20):
        size += len(block)
        digest.update(block)
        if size > MAX_UPLOAD_BYTES:
            break
    return size, digest.hexdigest()


def _read(kind: ImportKind, upload: BinaryIO, writer: _Writer, options: Options) -> None:
    if kind == ImportKind.OFX:
        ofx.read_ofx(upload, writer)
        return
    upload.seek(0)
    data = upload.read()
    if kind == ImportKind.PERIODS_CSV:
        writer.periods(periods.periods_from_table(_csv(data), unit="line"))
    elif kind == ImportKind.PERIODS_XLSX:
        writer.periods(periods.periods_from_table(tables.xlsx_rows(data), unit="row"))
    elif kind == ImportKind.QUICKBOOKS:
        writer.periods(reports.read_quickbooks(detect.load_json(data)))
    elif kind == ImportKind.XERO:
        doc = detect.load_json(data)
        if not reports.looks_like_xero(doc):
            raise fail("file", "is not a Xero Reports response (no Reports list)")
        writer.periods(reports.read_xero(doc))
    elif kind == ImportKind.BANK_CSV:
        bank_csv.read_bank_csv(
            _csv(data),
            writer,
            mapping=options.mapping,
            date_format=options.date_format,
            account_name=options.account,
        )


def _csv(data: bytes) -> list[tuple[int, list[str]]]:
    return list(tables.csv_rows(tables.decode_text(data)))


def _money_json(values: dict[str, Any]) -> dict[str, str | None]:
    return {f: (None if values.get(f) is None else str(values[f])) for f in MONEY_FIELDS}


class _Writer:
    """The import's writes, as the importers push rows and events into it (a ``BankSink``)."""

    def __init__(self, tenant: Tenant, record: DataImport) -> None:
        self.tenant, self.record = tenant, record
        self.problems: list[Problem] = []
        self.more_problems = 0
        self.warnings: list[str] = []
        self.today = tenant.local_today()
        self.current: BankAccount | None = None
        self.currency = ""
        self.buffer: list[Txn] = []
        self.accounts: dict[int, dict[str, Any]] = {}
        self.added = self.duplicates = 0
        self.created = self.updated = 0
        self.changes: dict[date, dict[str, Any]] = {}
        self.bank = False

    @property
    def changed_books(self) -> bool:
        return bool(self.changes or self.added)

    # --- the BankSink side ------------------------------------------------------------------

    def account(self, account: Account) -> None:
        self._flush()
        self.bank = True
        currency = (account.currency or self.tenant.currency).upper()
        row, created = BankAccount.objects.get_or_create(
            tenant=self.tenant,
            key=account.key,
            defaults={
                "name": account.name or _account_name(account),
                "mask": account.mask,
                "account_type": account.account_type[:24],
                "currency": currency,
            },
        )
        self.current, self.currency = row, row.currency
        entry = self.accounts.setdefault(
            row.pk, {"account": row, "new": created, "added": 0, "duplicates": 0}
        )
        entry.setdefault("new", created)
        if row.currency != self.tenant.currency:
            self.warning(
                f"account {row} is in {row.currency}, not {self.tenant.currency}: its "
                "transactions are kept but not counted in the business's cash"
            )

    def transaction(self, txn: Txn) -> None:
        if self.current is None:
            self.problem(Problem("STMTTRN", "a transaction before any account", line=txn.line))
            return
        if txn.posted_on > self.today + FUTURE_SLACK:
            self.problem(Problem("date", f"{txn.posted_on} is in the future", line=txn.line))
            return
        if txn.posted_on.year < 1970:
            self.problem(Problem("date", f"{txn.posted_on} is too far back", line=txn.line))
            return
        if not txn.bank_id:
            self.problem(Problem("FITID", "the transaction has no id", line=txn.line))
            return
        self.buffer.append(txn)
        if len(self.buffer) >= CHUNK:
            self._flush()

    def statement_end(self, end: StatementEnd) -> None:
        self._flush()
        if self.current is None:
            return
        if end.balance is None or end.as_of is None:
            self.warning(f"no ledger balance for {self.current}: its daily cash is not known")
            return
        if self.problems:
            return
        StatementBalance.objects.create(
            account=self.current,
            data_import=self.record,
            as_of=end.as_of,
            amount=end.balance,
            start=end.start,
            end=end.end,
        )

    def problem(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1

    def warning(self, message: str) -> None:
        if message not in self.warnings and len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def _flush(self) -> None:
        rows, self.buffer = self.buffer, []
        if not rows or self.problems or self.current is None:
            return
        table = BankTransaction._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (tenant_id, account_id, data_import_id, currency, posted_on,"  # noqa: S608 - the model's own table name
                " amount, payee, payee_key, memo, bank_id, kind)"
                " SELECT %s, %s, %s, %s, u.* FROM unnest(%s::date[], %s::numeric[], %s::text[],"
                " %s::text[], %s::text[], %s::text[], %s::text[]) AS u"
                " ON CONFLICT (account_id, bank_id) DO NOTHING",
                [
                    self.tenant.pk,
                    self.current.pk,
                    self.record.pk,
                    self.currency,
                    [t.posted_on for t in rows],
                    [t.amount for t in rows],
                    [t.payee for t in rows],
                    [payee_key(t.payee) for t in rows],
                    [t.memo for t in rows],
                    [t.bank_id for t in rows],
                    [t.kind[:16] for t in rows],
                ],
            )
            added = cursor.rowcount
            if added < len(rows):
                self._seen_again(self.current, [t.bank_id for t in rows])
        entry = self.accounts[self.current.pk]
        entry["added"] += added
        entry["duplicates"] += len(rows) - added
        self.added += added
        self.duplicates += len(rows) - added

    def _seen_again(self, account: BankAccount, bank_ids: list[str]) -> None:
        """Note which of these transactions an earlier import wrote (see ``SeenAgain``)."""
        SeenAgain.objects.bulk_create(
            [
                SeenAgain(transaction_id=pk, data_import=self.record)
                for pk in BankTransaction.objects.filter(account=account, bank_id__in=bank_ids)
                .exclude(data_import=self.record)
                .values_list("pk", flat=True)
            ],
            ignore_conflicts=True,
        )

    # --- the periods side -------------------------------------------------------------------

    def periods(self, rows: PeriodRows) -> None:
        for message in rows.warnings:
            self.warning(message)
        for problem in rows.problems:
            self.problem(problem)
        errors: list[PeriodError] = []
        try:
            cleaned = clean_periods(self.tenant, rows.rows, errors=errors)
        except PeriodError as exc:
            raise fail("periods", exc.message) from None
        for error in errors:
            place = rows.where(error.row, error.field)
            message = re.sub(
                r"repeats row (\d+)",
                lambda m: "repeats " + Problem("", "", **rows.where(int(m[1]), "month")).place(),
                error.message,
            )
            self.problem(Problem(error.field, message, **place))
        if not self.problems:
            self._write_periods(self._retire_cash_basis(cleaned))

    def _retire_cash_basis(self, cleaned: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Books for a month a statement filled on a cash basis (``_fill_cash``) replace its
        trading figures; a net income they do not give is then unknown, not the statement's
        money in less money out beside the books' revenue and costs."""
        months = [
            row["month"]
            for row in cleaned
            if "net_income" not in row and any(f in row for f in CASH_BASIS)
        ]
        if not months:
            return cleaned
        filled: dict[date, dict[str, Any]] = {}
        bank_imports = DataImport.objects.filter(
            tenant=self.tenant, kind__in=BANK_KINDS, status=ImportStatus.DONE
        ).values_list("period_changes", flat=True)
        for changes in bank_imports:
            for change in changes or []:
                before, after = change.get("before") or {}, change.get("after") or {}
                if before.get("revenue") is None and after.get("revenue") is not None:
                    filled[date.fromisoformat(f"{change['month']}-01")] = after
        stored = self._stored(months)
        for row in cleaned:
            after, now = filled.get(row["month"]), stored.get(row["month"])
            if after and now and all(now[f] == after[f] for f in (*CASH_BASIS, "net_income")):
                row["net_income"] = None
        return cleaned

    def _write_periods(self, cleaned: list[dict[str, Any]]) -> None:
        months = [p["month"] for p in cleaned]
        before = self._stored(months)
        result = upsert_periods(self.tenant, cleaned, rescore=False)
        after = self._stored(months)
        self.created += result.created
        self.updated += result.updated
        for month in months:
            if before.get(month) == after.get(month):
                continue
            change = self.changes.setdefault(month, {"before": before.get(month)})
            change["after"] = after[month]

    def _stored(self, months: list[date]) -> dict[date, dict[str, str | None]]:
        rows = FinancialPeriod.objects.filter(tenant=self.tenant, month__in=months).values(
            "month", *MONEY_FIELDS
        )
        return {row["month"]: _money_json(row) for row in rows}

    # --- the end ----------------------------------------------------------------------------

    def finish(self) -> None:
        self._flush()
        if not self.problems and self.bank:
            if not self.added and not self.duplicates and not self.accounts:
                self.problem(Problem("file", "holds no transaction"))
            else:
                self._fill_cash()
        if self.problems:
            if self.more_problems:
                self.problems.append(
                    Problem("file", f"… and {self.more_problems} more problems like these")
                )
            raise ImportFailed(self.problems)

    def _fill_cash(self) -> None:
        """What the statements say of closed months, where the books do not: the closing cash
        where a month has no cash figure; and, for a month the statements cover from its first
        day to its last and the books say nothing of its trading (no revenue, no costs), its
        money in and out on a cash basis: revenue, operating costs and their difference as net
        income (transfers between the accounts left out). Books that come later replace them."""
        this_month = self.today.replace(day=1)
        months = {m.month: m for m in cash.monthly_cash(self.tenant) if m.month < this_month}
        stored: dict[date, dict[str, Any]] = {
            row["month"]: dict(row)
            for row in FinancialPeriod.objects.filter(
                tenant=self.tenant, month__in=list(months)
            ).values("month", "cash_balance", "revenue", "cogs", "operating_expenses")
        }
        rows: list[dict[str, Any]] = []
        for month, bank in sorted(months.items()):
            books = stored.get(month, {})
            row: dict[str, Any] = {"month": month}
            if bank.closing is not None and books.get("cash_balance") is None:
                row["cash_balance"] = bank.closing
            trading = ("revenue", "cogs", "operating_expenses")
            if bank.complete and all(books.get(f) is None for f in trading):
                money_in = bank.inflow - bank.transfers_in
                money_out = bank.outflow - bank.transfers_out
                row.update(zip(CASH_BASIS, (money_in, money_out), strict=True))
                row["net_income"] = money_in - money_out
            if len(row) > 1:
                rows.append(row)
        cleaned = [period for row in rows for period in self._clean_bank_month(row)]
        cash_basis = [f"{period['month']:%Y-%m}" for period in cleaned if "revenue" in period]
        if cash_basis:
            self.warning(
                f"{', '.join(cash_basis[:6])}{' …' if len(cash_basis) > 6 else ''}: no books for "
                "these months, so the money in and out of the bank stands in for revenue and "
                "operating costs (cash basis) until books for them are imported"
            )
        for start in range(0, len(cleaned), MAX_PERIODS_PER_REQUEST):
            self._write_periods(cleaned[start : start + MAX_PERIODS_PER_REQUEST])

    def _clean_bank_month(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        """The month as the bank fills it; cash-basis figures that clash with what the books
        hold (their payroll above the money out, say) are dropped, the closing cash kept."""
        try:
            return clean_periods(self.tenant, [row])
        except PeriodError:
            pass
        if "cash_balance" not in row:
            return []
        try:
            return clean_periods(
                self.tenant, [{"month": row["month"], "cash_balance": row["cash_balance"]}]
            )
        except PeriodError as exc:
            raise fail(
                "cash_balance", f"the closing cash of {row['month']:%Y-%m} {exc.message}"
            ) from None

    def summary(self) -> dict[str, Any]:
        accounts = []
        for entry in self.accounts.values():
            row: BankAccount = entry["account"]
            accounts.append(
                {
                    "name": row.name,
                    "mask": row.mask,
                    "account_type": row.account_type,
                    "currency": row.currency,
                    "new": entry["new"],
                    "transactions_added": entry["added"],
                    "duplicates_skipped": entry["duplicates"],
                }
            )
        return {
            "periods_created": sum(1 for c in self.changes.values() if c["before"] is None),
            "periods_updated": sum(1 for c in self.changes.values() if c["before"] is not None),
            "transactions_added": self.added,
            "duplicates_skipped": self.duplicates,
            "accounts": accounts,
        }

    def period_changes(self) -> list[dict[str, Any]]:
        return [
            {"month": f"{month:%Y-%m}", "before": change["before"], "after": change["after"]}
            for month, change in sorted(self.changes.items())
        ]

    def period_preview(self) -> list[dict[str, Any]]:
        """What each written month looks like after the import (the console's preview)."""
        return [
            {
                "month": f"{month:%Y-%m}",
                "action": "created" if change["before"] is None else "updated",
                "values": change["after"],
            }
            for month, change in sorted(self.changes.items())
        ]


def _account_name(account: Account) -> str:
    kind = account.account_type.replace("CREDITCARD", "card").lower() or "account"
    return f"{kind.capitalize()} {account.mask}".strip()


@transaction.atomic
def undo_import(record: DataImport, user: Any) -> DataImport:
    """Take ``record`` back (see the module docstring); UndoRefused says why not."""
    tenant = record.tenant
    _lock_tenant(tenant)
    record = DataImport.objects.select_for_update().get(pk=record.pk)
    if record.status == ImportStatus.UNDONE:
        raise UndoRefused("this import was undone already")
    changes = record.period_changes or []
    months = [date.fromisoformat(f"{c['month']}-01") for c in changes]
    current = {
        row["month"]: _money_json(row)
        for row in FinancialPeriod.objects.select_for_update()
        .filter(tenant=tenant, month__in=months)
        .values("month", *MONEY_FIELDS)
    }
    for month, change in zip(months, changes, strict=True):
        if current.get(month) != change["after"]:
            raise UndoRefused(
                f"{month:%Y-%m} changed after this import (a later import or an edit); undo "
                "that first or edit the month by hand"
            )
    for month, change in zip(months, changes, strict=True):
        before = change["before"]
        if before is None:
            FinancialPeriod.objects.filter(tenant=tenant, month=month).delete()
        else:
            FinancialPeriod.objects.filter(tenant=tenant, month=month).update(
                updated_at=timezone.now(),
                **{f: (None if v is None else Decimal(v)) for f, v in before.items()},
            )
    MovementAlert.objects.filter(data_import=record).delete()
    SeenAgain.objects.filter(data_import=record).delete()
    _hand_over(record)
    removed, _ = BankTransaction.objects.filter(data_import=record).delete()
    StatementBalance.objects.filter(data_import=record).delete()
    BankAccount.objects.filter(
        tenant=tenant, transactions__isnull=True, balances__isnull=True
    ).delete()
    record.status = ImportStatus.UNDONE
    record.undone_at = timezone.now()
    record.undone_by = user if getattr(user, "pk", None) else None
    record.save(update_fields=["status", "undone_at", "undone_by"])
    if changes or removed:
        books_changed(tenant)
    return record


def _hand_over(record: DataImport) -> None:
    """The undone import's transactions that a standing import saw again go to the earliest of
    those imports: its statement holds them too, so they stay."""
    sightings = (
        SeenAgain.objects.filter(transaction__data_import=record)
        .exclude(data_import__status=ImportStatus.UNDONE)
        .order_by("transaction_id", "data_import_id")
        .values_list("pk", "transaction_id", "data_import_id")
    )
    heirs: dict[int, tuple[int, int]] = {}
    for pk, transaction_id, import_id in sightings:
        heirs.setdefault(transaction_id, (pk, import_id))
    by_import: dict[int, list[int]] = {}
    for transaction_id, (_, import_id) in heirs.items():
        by_import.setdefault(import_id, []).append(transaction_id)
    for import_id, transaction_ids in by_import.items():
        BankTransaction.objects.filter(pk__in=transaction_ids).update(data_import_id=import_id)
    SeenAgain.objects.filter(pk__in=[pk for pk, _ in heirs.values()]).delete()
