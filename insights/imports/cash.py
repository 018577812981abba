"""The daily cash balance that a tenant's transactions imply, anchored on statement balances.

An account's balance at the end of a day is its latest statement's ledger balance, moved back
(or forward) by the transactions posted between that day and the statement's date. The
tenant's cash on a day is the sum over its accounts in the tenant's currency that cover that
day (from their first statement or transaction to their last). Accounts without any ledger
balance have no known level and are left out.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Min, Q, Sum
from django.db.models.functions import TruncMonth

from gateway.models import Tenant
from insights.imports.models import BankAccount, BankTransaction, StatementBalance


@dataclass(frozen=True)
class MonthCash:
    month: date
    inflow: Decimal
    outflow: Decimal  # a positive figure: what left
    closing: Decimal | None  # None: the month's last day is not covered
    complete: bool = False  # the accounts cover every day of the month
    transfers_in: Decimal = Decimal(0)  # of the inflow, transfers (OFX XFER) between accounts
    transfers_out: Decimal = Decimal(0)


def account_balances(account: BankAccount) -> dict[date, Decimal]:
    """End-of-day balances for every day the account covers; empty without an anchor."""
    anchor = account.balances.order_by("-as_of", "-id").first()
    if anchor is None:
        return {}
    nets = dict(
        BankTransaction.objects.filter(account=account)
        .values_list("posted_on")
        .annotate(net=Sum("amount"))
        .values_list("posted_on", "net")
    )
    span = account.balances.aggregate(start=Min("start"), end=Max("end"))
    days = [*nets, anchor.as_of, *(d for d in span.values() if d)]
    first, last = min(days), max(days)
    balances = {anchor.as_of: anchor.amount}
    running = anchor.amount
    day = anchor.as_of
    while day > first:  # back: the day before = today's close less today's movements
        running -= nets.get(day, Decimal(0))
        day -= timedelta(days=1)
        balances[day] = running
    running, day = anchor.amount, anchor.as_of
    while day < last:
        day += timedelta(days=1)
        running += nets.get(day, Decimal(0))
        balances[day] = running
    return balances


def daily_cash(tenant: Tenant) -> dict[date, Decimal]:
    """The tenant's cash at the end of each covered day (accounts in its currency)."""
    total: dict[date, Decimal] = defaultdict(Decimal)
    for account in cash_accounts(tenant):
        for day, amount in account_balances(account).items():
            total[day] += amount
    return dict(sorted(total.items()))


def latest_cash(tenant: Tenant) -> tuple[date, Decimal] | None:
    """The last day every cash account covers, and the tenant's cash at its end (None: no
    anchored account). A day only some accounts reach would count the others as nothing."""
    balances = [b for b in (account_balances(a) for a in cash_accounts(tenant)) if b]
    if not balances:
        return None
    day = min(max(b) for b in balances)
    return day, sum((b[day] for b in balances if day in b), Decimal(0))


def cash_accounts(tenant: Tenant) -> list[BankAccount]:
    anchored = StatementBalance.objects.filter(account__tenant=tenant).values("account_id")
    return list(
        BankAccount.objects.filter(tenant=tenant, pk__in=anchored, currency=tenant.currency)
    )


def monthly_cash(tenant: Tenant) -> list[MonthCash]:
    """Each month's money in and out (every account) and its closing cash where known."""
    flows: dict[date, tuple[Decimal, ...]] = {}
    moved_in, moved_out = Q(amount__gt=0), Q(amount__lt=0)
    transfer = Q(kind="XFER")
    rows = (
        BankTransaction.objects.filter(tenant=tenant, account__currency=tenant.currency)
        .annotate(month=TruncMonth("posted_on"))
        .values("month")
        .annotate(
            inflow=Sum("amount", filter=moved_in),
            out=Sum("amount", filter=moved_out),
            xfer_in=Sum("amount", filter=moved_in & transfer),
            xfer_out=Sum("amount", filter=moved_out & transfer),
        )
        .values_list("month", "inflow", "out", "xfer_in", "xfer_out")
    )
    zero = Decimal(0)
    for month, inflow, out, xfer_in, xfer_out in rows:
        flows[month] = (inflow or zero, -(out or zero), xfer_in or zero, -(xfer_out or zero))
    daily = daily_cash(tenant)
    months = sorted(set(flows) | {day.replace(day=1) for day in daily})
    result = []
    for month in months:
        last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        inflow, outflow, xfer_in, xfer_out = flows.get(month, (zero, zero, zero, zero))
        complete = month in daily and last in daily
        result.append(
            MonthCash(month, inflow, outflow, daily.get(last), complete, xfer_in, xfer_out)
        )
    return result
