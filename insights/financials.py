"""Validating and storing a tenant's monthly financial periods (API and CSV share this)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from gateway.models import Tenant
from insights.daily import books_changed
from insights.metrics import MONEY_FIELDS, Period
from insights.models import FinancialPeriod

# Ten years of months in one request: a full import of a long history, and a bound on the
# work (and the transaction) one request can cause.
MAX_PERIODS_PER_REQUEST = 120
# No SMB ledger is near a trillion; a larger figure is a unit or paste error.
MAX_ABS_AMOUNT = Decimal("999999999999.99")
# Money that can go below zero: a loss, an overdrawn account. Everything else is a stock or flow
# that cannot be negative.
SIGNED_FIELDS = frozenset({"net_income", "cash_balance"})
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")
# The one accepted spelling of an amount in text: ASCII digits, an optional sign and decimal
# point. No thousands separators: "1,50" is 1.50 in half the world and 150 in the other half, so
# a comma is refused rather than guessed at (it used to be dropped: "1,2,3,4" became 1234.00).
_PLAIN_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
PLAIN_DECIMAL_RULE = (
    "must be a plain decimal number like 1234.56 or -80 (digits, an optional sign and decimal "
    "point; no thousands separators, spaces inside, exponents or currency symbols)"
)


class PeriodError(ValueError):
    """A bad value in one period: ``row`` (0-based) and ``field`` name where."""

    def __init__(self, row: int, field: str, message: str) -> None:
        super().__init__(message)
        self.row, self.field, self.message = row, field, message


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int
    months: list[date]


def parse_month(raw: Any) -> date:
    if isinstance(raw, date):
        if raw.day != 1:
            raise ValueError("must be the first day of a month")
        return raw
    match = _MONTH.match(str(raw).strip()) if raw is not None else None
    if not match:
        raise ValueError("must be a month as YYYY-MM (or YYYY-MM-01)")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError("is not a valid month")
    return date(year, month, 1)


def parse_amount(field: str, raw: Any, *, signed: bool | None = None) -> Decimal | None:
    """A money value, or None for unknown (null or empty).

    A JSON number, or text that is a plain decimal ("1234.56"); anything else is refused with
    the accepted form, never guessed at ("1,50", "1e3", "1_000", "$5", "١٢"). ``signed``: may
    it be negative (default: as ``field`` allows; a bank transaction's amount is signed)."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if isinstance(raw, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(raw, str):
        text = raw.strip()
        if not _PLAIN_DECIMAL.fullmatch(text):
            shown = text if len(text) <= 40 else text[:40] + "…"
            raise ValueError(f"{PLAIN_DECIMAL_RULE}, got {shown!r}")
    elif isinstance(raw, int | float | Decimal):
        text = str(raw)
    else:
        raise ValueError(f"{PLAIN_DECIMAL_RULE}, got a {type(raw).__name__}")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{PLAIN_DECIMAL_RULE}, got {raw!r}") from None
    if not value.is_finite():
        raise ValueError("must be a finite number")
    if abs(value) > MAX_ABS_AMOUNT:
        raise ValueError(f"is out of range (at most {MAX_ABS_AMOUNT:,} in absolute value)")
    if value < 0 and not (field in SIGNED_FIELDS if signed is None else signed):
        raise ValueError("must not be negative")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError("has more than 2 decimal places")
    return value


# The fields the rules that span fields read (see ``cross_field_errors``).
RULE_FIELDS = frozenset({"payroll", "operating_expenses"})


def cross_field_errors(
    row: int, values: Mapping[str, Any], *, sent: Iterable[str], stored_month: date | None = None
) -> list[PeriodError]:
    """The rules that span fields, on a period's values as they would be stored.

    ``values``: the period's fields, the stored ones filled in for what an update leaves out (so
    a partial update cannot break a rule the API refuses in a whole one). ``sent``: the fields
    the caller gave; the error names one of them. ``stored_month``: set when a stored value took
    part, which the message then names."""
    payroll, opex = values.get("payroll"), values.get("operating_expenses")
    if payroll is None or opex is None or payroll <= opex:
        return []
    sent = set(sent)
    if "payroll" in sent:
        message = "must not exceed operating_expenses (payroll is part of them)"
        if stored_month is not None and "operating_expenses" not in sent:
            message += f"; the stored operating_expenses of {stored_month:%Y-%m} is {opex}"
        return [PeriodError(row, "payroll", message)]
    message = "must not be below payroll (payroll is part of operating_expenses)"
    if stored_month is not None:
        message += f"; the stored payroll of {stored_month:%Y-%m} is {payroll}"
    return [PeriodError(row, "operating_expenses", message)]


def period_errors(
    row: int, data: Any, *, latest_month: date
) -> tuple[dict[str, Any] | None, list[PeriodError]]:
    """One period's fields validated, and every problem found in it (not only the first): the
    period (only the money fields present in ``data``) is None when there is any."""
    if not isinstance(data, Mapping):
        return None, [PeriodError(row, "non_field_errors", "each period must be an object")]
    found: list[PeriodError] = []
    for name in sorted(set(data) - {"month", *MONEY_FIELDS}, key=str):
        found.append(
            PeriodError(
                row, str(name), f"unknown field; expected month and {', '.join(MONEY_FIELDS)}"
            )
        )
    month: date | None = None
    if "month" not in data:
        found.append(PeriodError(row, "month", "this field is required"))
    else:
        try:
            month = parse_month(data["month"])
        except ValueError as exc:
            found.append(PeriodError(row, "month", str(exc)))
        else:
            if month > latest_month:
                found.append(PeriodError(row, "month", f"{month:%Y-%m} is in the future"))
    cleaned: dict[str, Any] = {"month": month}
    for field in MONEY_FIELDS:
        if field in data:
            try:
                cleaned[field] = parse_amount(field, data[field])
            except ValueError as exc:
                found.append(PeriodError(row, field, str(exc)))
    found += cross_field_errors(row, cleaned, sent=cleaned)
    return (None if found else cleaned), found


def clean_period(row: int, data: Any, *, latest_month: date) -> dict[str, Any]:
    """One period's fields, validated; only the money fields present in ``data`` are returned.
    PeriodError for the first problem (``period_errors`` gives them all)."""
    period, found = period_errors(row, data, latest_month=latest_month)
    if period is None:
        raise found[0]
    return period


def stored_rule_errors(
    tenant: Tenant,
    periods: Iterable[tuple[int, dict[str, Any]]],
    stored: Mapping[date, FinancialPeriod] | None = None,
) -> list[PeriodError]:
    """The rules that span fields, for updates that leave a rule's field out, against the
    stored value of that field. ``periods``: (row, cleaned period) pairs; ``stored``: the rows
    already loaded (and locked) by the caller, else they are read here."""
    partial = [
        (row, period)
        for row, period in periods
        if RULE_FIELDS & period.keys() and not period.keys() >= RULE_FIELDS
    ]
    if not partial:
        return []
    if stored is None:
        stored = {
            row.month: row
            for row in FinancialPeriod.objects.filter(
                tenant=tenant, month__in=[period["month"] for _, period in partial]
            )
        }
    found: list[PeriodError] = []
    for row, period in partial:
        existing = stored.get(period["month"])
        if existing is None:
            continue
        values = {field: getattr(existing, field) for field in RULE_FIELDS} | period
        found += cross_field_errors(row, values, sent=period, stored_month=period["month"])
    return found


def clean_periods(
    tenant: Tenant,
    rows: Any,
    *,
    errors: list[PeriodError] | None = None,
    limit: int | None = MAX_PERIODS_PER_REQUEST,
) -> list[dict[str, Any]]:
    """Every period validated, or PeriodError for the first bad one; nothing is written here.
    An update that leaves out one field of a rule spanning fields is checked against the
    stored value (a partial update enforces what a whole one does).

    ``errors``: collect every bad value there instead (an import's preview lists them all);
    the good periods are returned, and the caller writes nothing while ``errors`` is not empty.
    ``limit``: the most periods at once (None: no bound, for a file read from disk)."""
    if not isinstance(rows, list):
        raise PeriodError(-1, "periods", "must be a list of periods")
    if not rows:
        raise PeriodError(-1, "periods", "must contain at least one period")
    if limit is not None and len(rows) > limit:
        raise PeriodError(-1, "periods", f"at most {limit} periods per request")
    latest = tenant.local_today().replace(day=1)
    found: list[PeriodError] = []
    good: list[tuple[int, dict[str, Any]]] = []
    seen: dict[date, int] = {}
    for index, data in enumerate(rows):
        period, problems = period_errors(index, data, latest_month=latest)
        if period is not None and period["month"] in seen:
            problems.append(
                PeriodError(
                    index, "month", f"{period['month']:%Y-%m} repeats row {seen[period['month']]}"
                )
            )
        if problems or period is None:
            found += problems
            continue
        seen[period["month"]] = index
        good.append((index, period))
    stored = stored_rule_errors(tenant, good)
    found = sorted(found + stored, key=lambda error: error.row)
    if found and errors is None:
        raise found[0]
    if errors is not None:
        errors.extend(found)
    bad_rows = {error.row for error in stored}
    return [period for index, period in good if index not in bad_rows]


@transaction.atomic
def upsert_periods(
    tenant: Tenant, cleaned: Iterable[dict[str, Any]], *, rescore: bool = True
) -> UpsertResult:
    """Write validated periods in one transaction, with today's insight re-scored on them. A
    field absent from a period keeps its stored value; an explicit null makes it unknown.
    PeriodError (``row``: the index in ``cleaned``) when a rule spanning fields would break
    against a stored value written since ``clean_periods`` looked.
    ``rescore=False``: the caller (an import, writing more than periods) re-scores once itself."""
    cleaned = list(cleaned)
    months = [period["month"] for period in cleaned]
    existing = {
        row.month: row
        for row in FinancialPeriod.objects.select_for_update().filter(
            tenant=tenant, month__in=months
        )
    }
    # the rules that span fields again, against the rows as locked (a write in between)
    broken = stored_rule_errors(tenant, enumerate(cleaned), existing)
    if broken:
        raise broken[0]
    to_create, to_update, unchanged = [], [], 0
    for period in cleaned:
        row = existing.get(period["month"])
        if row is None:
            to_create.append(FinancialPeriod(tenant=tenant, **period))
            continue
        changed = [f for f in MONEY_FIELDS if f in period and getattr(row, f) != period[f]]
        for field in changed:
            setattr(row, field, period[field])
        if changed:
            to_update.append(row)
        else:
            unchanged += 1
    FinancialPeriod.objects.bulk_create(to_create)
    now = timezone.now()
    for row in to_update:
        row.updated_at = now
    FinancialPeriod.objects.bulk_update(to_update, [*MONEY_FIELDS, "updated_at"])
    if (to_create or to_update) and rescore:
        books_changed(tenant)  # today's insight, if written already, follows the books
    return UpsertResult(len(to_create), len(to_update), unchanged, sorted(months))


def load_periods(tenant: Tenant) -> list[Period]:
    """The tenant's books as plain periods for the metrics module."""
    rows = (
        FinancialPeriod.objects.filter(tenant=tenant)
        .order_by("month")
        .values("month", *MONEY_FIELDS)
    )
    return [Period(**row) for row in rows]
