"""Every morning's news from the bank: what the transactions since the previous insight say.

Monthly books change once a month; a tenant's bank account changes every day. For each tenant
with bank accounts, the daily insight's "what changed" carries the money in and out since the
previous insight (or over the last week when there is none), the largest movements, and the
cash balance against the same weekday four weeks before. The window starts on the previous
insight's date itself (what was posted that day came after its morning run). Read in bulk for
a batch (one query for the accounts, one for the window's transactions, one for the previous
insights' dates); the balances are per tenant with bank data.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from coach.catalog import formatting
from gateway.models import Tenant
from insights.imports import cash
from insights.imports.models import BankAccount, BankTransaction

log = logging.getLogger(__name__)

DEFAULT_WINDOW = timedelta(days=7)
LARGEST = 3


def transaction_news(
    items: Sequence[tuple[UUID, date]], tenants: dict[UUID, Tenant]
) -> dict[UUID, dict[str, Any]]:
    """Each item's news, for the tenants that have bank accounts (others are absent)."""
    from insights.models import Insight  # the pipeline's model; imported late, no cycle

    banked = set(
        BankAccount.objects.filter(tenant_id__in={t for t, _ in items})
        .values_list("tenant_id", flat=True)
        .distinct()
    )
    items = [item for item in items if item[0] in banked]
    if not items:
        return {}
    latest = max(day for _, day in items)
    previous = dict(
        Insight.objects.filter(tenant_id__in=banked, local_date__lt=latest)
        .order_by("tenant_id", "-local_date")
        .distinct("tenant_id")
        .values_list("tenant_id", "local_date")
    )
    windows: dict[UUID, tuple[date, date]] = {}
    for tenant_id, day in items:
        before = previous.get(tenant_id)
        since = before if before is not None and before < day else day - DEFAULT_WINDOW
        windows[tenant_id] = (since, day)
    rows: dict[UUID, list[tuple[date, Decimal, str, str]]] = defaultdict(list)
    query = BankTransaction.objects.filter(
        tenant_id__in=list(windows),
        posted_on__gte=min(s for s, _ in windows.values()),
        posted_on__lte=latest,
    ).values_list("tenant_id", "posted_on", "amount", "payee", "currency")
    for tenant_id, posted, amount, payee, currency in query.iterator(chunk_size=5000):
        since, day = windows[tenant_id]
        if since <= posted <= day:
            rows[tenant_id].append((posted, amount, payee, currency))
    news = {}
    for tenant_id, (since, day) in windows.items():
        try:
            news[tenant_id] = describe(tenants[tenant_id], since, day, rows[tenant_id])
        except Exception:  # news is a refinement: the insight goes on without it
            log.exception("transaction news failed tenant=%s", tenant_id)
    return news


def describe(
    tenant: Tenant, since: date, day: date, rows: list[tuple[date, Decimal, str, str]]
) -> dict[str, Any]:
    currency = tenant.currency
    mine = [r for r in rows if r[3] in ("", currency)]
    cash_in = sum((a for _, a, _, _ in mine if a > 0), Decimal(0))
    cash_out = -sum((a for _, a, _, _ in mine if a < 0), Decimal(0))
    largest = sorted(mine, key=lambda r: (-abs(r[1]), r[0], r[2]))[:LARGEST]
    daily = cash.daily_cash(tenant)
    known = [d for d in daily if d <= day]
    balance_day = max(known) if known else None
    balance = daily[balance_day] if balance_day else None
    month_ago_day = balance_day - timedelta(days=28) if balance_day else None
    month_ago = daily.get(month_ago_day) if month_ago_day else None

    def money(value: Decimal) -> str:
        return formatting.money(float(abs(value)), currency, decimals=2)

    when = f"Since {since:%-d %b}"
    if mine:
        parts = [
            f"{when}: {len(mine)} transaction{'s' if len(mine) != 1 else ''}, "
            f"{money(cash_in)} in and {money(cash_out)} out"
        ]
        top = largest[0]
        direction = "from" if top[1] > 0 else "to"
        parts.append(f"the largest, {money(top[1])} {direction} {top[2] or 'an unnamed payee'}")
        sentence = "; ".join(parts) + "."
    else:
        sentence = f"{when}: no bank transactions."
    if balance is not None:
        sentence += f" Cash {money(balance)}"
        if balance < 0:
            sentence += " overdrawn"
        if month_ago is not None:
            diff = balance - month_ago
            if diff:
                more = "more" if diff > 0 else "less"
                sentence += f", {money(diff)} {more} than the same weekday last month"
            else:
                sentence += ", the same as the same weekday last month"
        sentence += "."
    return {
        "since": since.isoformat(),
        "until": day.isoformat(),
        "count": len(mine),
        "cash_in": str(cash_in),
        "cash_out": str(cash_out),
        "net": str(cash_in - cash_out),
        "largest": [
            {"posted_on": d.isoformat(), "amount": str(a), "payee": p} for d, a, p, _ in largest
        ],
        "balance": None if balance is None else str(balance),
        "balance_date": balance_day.isoformat() if balance_day else None,
        "same_weekday_last_month": (
            None
            if month_ago is None or month_ago_day is None
            else {"date": month_ago_day.isoformat(), "balance": str(month_ago)}
        ),
        "sentence": sentence,
    }
