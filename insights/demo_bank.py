"""The demo tenant whose books came in as files: a spreadsheet of monthly results and a bank
statement, both through the import service like a user's upload.

Fjord Bakery (Oslo, NOK) has no hand-typed books: its profit and loss comes from a CSV of
twelve closed months (no cash column), and its cash from an OFX statement that starts with the
first of those months (card settlements every day, suppliers weekly, rent, payroll and power
monthly), whose closing balances fill every month's cash, so its forecast has a year of books to
fit and starts from yesterday's bank balance. The statement ends yesterday, so every morning its
insight has new transactions to tell. Deterministic: a day's transactions and the running
balance depend on the date alone, so a rerun the same day imports nothing twice (the same file
is skipped) and a rerun later adds only the new days (the bank's ids repeat).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from gateway.demo import _create_missing, demo_tenant_id
from gateway.models import Industry, Membership, Role, Tenant
from insights.imports.models import DataImport, ImportStatus
from insights.imports.samples import Row, render_ofx
from insights.imports.service import run_import
from insights.metrics import shift_month
from insights.models import FinancialPeriod

SLUG, NAME, ZONE, CURRENCY = "fjord", "Fjord Bakery", "Europe/Oslo", "NOK"
STORY = "bank_transactions"
EPOCH = date(2024, 1, 1)  # the running balance is counted from here, whatever the window
OPENING = Decimal("185000.00")
MONTHS = 12  # of profit and loss in the spreadsheet, and of the statement (with this month)


@dataclass
class BankDemo:
    tenant: Tenant
    imported: list[str]


def _day_rows(day: date) -> list[Row]:
    """What the bakery's account sees on ``day`` (the same every time it is asked)."""
    rng = random.Random(day.toordinal())  # noqa: S311 - demo data, not security
    weekday = day.weekday()
    sales = 9_000 + 6_000 * (weekday >= 4) + rng.uniform(-1_500, 1_500)  # busy weekends
    rows = [Row(day, Decimal(f"{sales:.2f}"), "NETS CARD SETTLEMENT", f"{day:%Y%m%d}-NETS")]
    if weekday == 0:
        rows.append(_out(day, "NORDIC FLOUR MILL AS", 14_000 + rng.uniform(-2_000, 2_000)))
    if weekday == 2:
        rows.append(_out(day, "TINE DAIRY COOP", 6_500 + rng.uniform(-800, 800)))
    if day.day == 1:
        rows.append(_out(day, "GRUNERLOKKA EIENDOM RENT", 42_000))
    if day.day == 25:
        rows.append(_out(day, "PAYROLL BAKERS", 118_000 + rng.uniform(-3_000, 3_000)))
    if day.day == 12:
        rows.append(_out(day, "OSLO ENERGI POWER", 7_800 + rng.uniform(-1_500, 2_500)))
    return rows


def _out(day: date, payee: str, amount: float) -> Row:
    return Row(day, Decimal(f"-{amount:.2f}"), payee, f"{day:%Y%m%d}-{payee[:8].strip()}")


def statement(start: date, yesterday: date) -> bytes:
    """The account's statement from ``start`` to ``yesterday`` (its balance counted from EPOCH)."""
    balance = OPENING
    rows: list[Row] = []
    day = EPOCH
    while day <= yesterday:
        today_rows = _day_rows(day)
        balance += sum((r.amount for r in today_rows), Decimal(0))
        if day >= start:
            rows.extend(today_rows)
        day += timedelta(days=1)
    return render_ofx(
        rows,
        bank_id="DNBANOKK",
        account_id="1503.45.67890",
        currency=CURRENCY,
        start=start,
        end=yesterday,
        balance=balance,
    )


def _months_present(tenant: Tenant) -> set[date]:
    return set(FinancialPeriod.objects.filter(tenant=tenant).values_list("month", flat=True))


def results_csv(last_month: date, *, skip: frozenset[date] | set[date] = frozenset()) -> bytes:
    """Twelve closed months of profit and loss, as an accountant's spreadsheet export; the
    months in ``skip`` are left out."""
    lines = [
        "Month,Sales,Cost of sales,Operating expenses,Wages,Net profit,Debtors,Creditors,Stock"
    ]
    for back in range(MONTHS - 1, -1, -1):
        month = shift_month(last_month, -back)
        if month is None or month in skip:
            continue
        rng = random.Random(month.toordinal())  # noqa: S311 - demo data
        sales = 330_000 * (1 + 0.06 * (month.month in (6, 7, 12))) * rng.uniform(0.96, 1.04)
        cogs = sales * 0.34
        opex = 185_000 * rng.uniform(0.98, 1.02)
        wages = 120_000
        net = sales - cogs - opex
        lines.append(
            f"{month:%Y-%m},{sales:.2f},{cogs:.2f},{opex:.2f},{wages:.2f},{net:.2f},"
            f"{sales * 0.02:.2f},{cogs * 0.35:.2f},{cogs * 0.12:.2f}"
        )
    return ("\n".join(lines) + "\n").encode()


def seed_bank_demo(owner: Any) -> BankDemo:
    """The tenant, its owner's membership, and its two files imported (each once)."""
    tenant = _create_missing(
        Tenant,
        {"id": demo_tenant_id(SLUG)},
        {
            "name": NAME,
            "timezone": ZONE,
            "currency": CURRENCY,
            "industry": Industry.RESTAURANT,  # a bakery-café: a few days of fresh stock is normal
            "insight_hour": 6,
            "is_active": True,
        },
    )
    _create_missing(Membership, {"user": owner, "tenant": tenant}, {"role": Role.OWNER})
    today = tenant.local_today()
    last_month = shift_month(today.replace(day=1), -1)
    first_month = shift_month(today.replace(day=1), -MONTHS)
    if last_month is None or first_month is None:
        raise ValueError("no month before January of year 1")
    files = [
        # only the months missing from its books: a month present (perhaps edited) is kept
        ("fjord-results.csv", results_csv(last_month, skip=_months_present(tenant))),
        ("fjord-dnb-statement.ofx", statement(first_month, today - timedelta(days=1))),
    ]
    imported = []
    for name, data in files:
        if data.count(b"\n") < 2:  # a header and no month: nothing is missing
            continue
        digest = hashlib.sha256(data).hexdigest()
        done = DataImport.objects.filter(tenant=tenant, sha256=digest, status=ImportStatus.DONE)
        if done.exists():
            continue
        outcome = run_import(tenant, owner, data, file_name=name)
        imported.append(
            f"{name}: {outcome.summary['transactions_added']} transactions, "
            f"{outcome.summary['periods_created']} months new"
        )
    return BankDemo(tenant, imported)
