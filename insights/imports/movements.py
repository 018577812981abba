"""Unusual movements in newly imported transactions, each an inbox notification with its reason.

* ``outside_history``: a payment far outside what the payee is usually paid (more than
  ``OUTSIDE_FACTOR`` times the median of at least ``MIN_HISTORY`` earlier payments in a year);
* ``new_payee``: a first payment to a payee never seen before, of at least
  ``settings.COACH_NEW_PAYEE_ALERT`` (default 1,000 in the tenant's currency);
* ``missing_receipt``: a customer who paid in each of the last three months around the same day
  has not paid this month, ``GRACE_DAYS`` after that day.

Only what happened in the last ``RECENT_DAYS`` is judged (a first import of a year of history
builds the baseline, it does not alert a year of it), at most ``MAX_ALERTS`` per import, and each
alert is raised once. "This is normal" (``mark_normal``) silences the rule for that payee.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, QuerySet

from coach.catalog import formatting
from gateway.models import Tenant
from insights.imports.models import (
    BankTransaction,
    DataImport,
    MovementAlert,
    MovementRule,
    NormalMovement,
)
from notifications.services import Message, notify_members

RECENT_DAYS = 14
MIN_HISTORY = 3
OUTSIDE_FACTOR = Decimal(3)
OUTSIDE_MIN_GAP = Decimal(100)  # a 30.00 coffee against a usual 9.00 is not news
GRACE_DAYS = 3
HISTORY_CAP = 200  # the median of a payee's last 200 payments at most
MAX_ALERTS = 10

# (rule, key, transaction, payee, reason)
Found = tuple[str, str, BankTransaction | None, str, str]


def new_payee_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "COACH_NEW_PAYEE_ALERT", "1000")))


def raise_alerts(tenant: Tenant, record: DataImport) -> list[MovementAlert]:
    today = tenant.local_today()
    since = today - timedelta(days=RECENT_DAYS)
    normal = set(NormalMovement.objects.filter(tenant=tenant).values_list("rule", "payee_key"))
    found: list[Found] = []
    fresh = list(
        BankTransaction.objects.filter(
            data_import=record, posted_on__gte=since, amount__lt=0
        ).exclude(payee_key="")
    )
    if fresh:
        found += _payments(tenant, fresh)
    found += _missing_receipts(tenant, record, since)
    alerts: list[MovementAlert] = []
    existing = set(
        MovementAlert.objects.filter(tenant=tenant, key__in=[f[1] for f in found]).values_list(
            "key", flat=True
        )
    )
    for rule, key, txn, payee, reason in found:
        if (rule, _key_of(key)) in normal or key in existing or len(alerts) >= MAX_ALERTS:
            continue
        existing.add(key)
        alerts.append(
            MovementAlert(
                tenant=tenant,
                rule=rule,
                key=key,
                payee=payee[:255],
                payee_key=_key_of(key),
                transaction=txn,
                data_import=record,
                reason=reason,
            )
        )
    MovementAlert.objects.bulk_create(alerts)
    notify_members([_message(tenant, alert) for alert in alerts])
    return alerts


def _key_of(key: str) -> str:
    return key.split(":", 2)[1]


def _money(tenant: Tenant, amount: Decimal) -> str:
    return formatting.money(float(abs(amount)), tenant.currency, decimals=2)


def _payments(tenant: Tenant, fresh: list[BankTransaction]) -> list[Found]:
    keys = {t.payee_key for t in fresh}
    earliest = min(t.posted_on for t in fresh) - timedelta(days=365)
    # each payee's payments in (date, id) order: the ones before a transaction are a prefix
    history: dict[str, list[tuple[date, int]]] = defaultdict(list)
    paid_out: dict[str, list[Decimal]] = defaultdict(list)
    rows = (
        BankTransaction.objects.filter(
            tenant=tenant, payee_key__in=keys, posted_on__gte=earliest, amount__lt=0
        )
        .order_by("payee_key", "posted_on", "id")
        .values_list("payee_key", "posted_on", "id", "amount")
    )
    for key, day, pk, amount in rows:
        history[key].append((day, pk))
        paid_out[key].append(-amount)
    found: list[Found] = []
    threshold = new_payee_threshold()
    firsts = _first_seen(tenant, keys)
    for txn in fresh:
        before = bisect.bisect_left(history[txn.payee_key], (txn.posted_on, txn.pk))
        earlier = paid_out[txn.payee_key][max(0, before - HISTORY_CAP) : before]
        paid = -txn.amount
        if firsts.get(txn.payee_key) == txn.pk and paid >= threshold:
            found.append(
                (
                    MovementRule.NEW_PAYEE,
                    f"{MovementRule.NEW_PAYEE}:{txn.payee_key}:{txn.pk}",
                    txn,
                    txn.payee,
                    f"First payment to {txn.payee}: {_money(tenant, paid)} on {txn.posted_on}.",
                )
            )
        elif len(earlier) >= MIN_HISTORY:
            usual = Decimal(statistics.median(earlier))
            if paid > usual * OUTSIDE_FACTOR and paid - usual >= OUTSIDE_MIN_GAP:
                ratio = paid / usual if usual else Decimal(0)
                found.append(
                    (
                        MovementRule.OUTSIDE_HISTORY,
                        f"{MovementRule.OUTSIDE_HISTORY}:{txn.payee_key}:{txn.pk}",
                        txn,
                        txn.payee,
                        f"{txn.payee} was paid {_money(tenant, paid)} on {txn.posted_on}, "
                        f"{ratio:.1f} times the usual {_money(tenant, usual)} (median of "
                        f"{len(earlier)} payments in the year before).",
                    )
                )
    return found


def _first_seen(tenant: Tenant, keys: set[str]) -> dict[str, int]:
    """Each payee's first transaction (by date, then id), whatever its direction."""
    rows = (
        BankTransaction.objects.filter(tenant=tenant, payee_key__in=keys)
        .order_by("payee_key", "posted_on", "id")
        .distinct("payee_key")
        .values_list("payee_key", "id")
    )
    return dict(rows)


def _missing_receipts(tenant: Tenant, record: DataImport, since: date) -> list[Found]:
    as_of = BankTransaction.objects.filter(data_import=record).aggregate(last=Max("posted_on"))[
        "last"
    ]
    if as_of is None or as_of < since:
        return []
    this_month = as_of.replace(day=1)
    start = _month_back(this_month, 3)
    rows = BankTransaction.objects.filter(
        tenant=tenant, amount__gt=0, posted_on__gte=start, posted_on__lte=as_of
    ).exclude(payee_key="")
    months: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    for key, payee, day in rows.values_list("payee_key", "payee", "posted_on"):
        months[key][day.replace(day=1)].append(day.day)
        names[key] = payee
    found: list[Found] = []
    wanted = [_month_back(this_month, n) for n in (1, 2, 3)]
    for key, by_month in months.items():
        if this_month in by_month or not all(m in by_month for m in wanted):
            continue
        usual = int(statistics.median(min(by_month[m]) for m in wanted))
        if as_of.day <= usual + GRACE_DAYS:
            continue
        found.append(
            (
                MovementRule.MISSING_RECEIPT,
                f"{MovementRule.MISSING_RECEIPT}:{key}:{this_month:%Y-%m}",
                None,
                names[key],
                f"{names[key]} paid around day {usual} in each of the last three months; "
                f"nothing has come in this month by {as_of}.",
            )
        )
    return found


def _month_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def title(alert: MovementAlert) -> str:
    """The alert in a few words: the inbox's title and the console's heading of the movement."""
    titles = {
        MovementRule.OUTSIDE_HISTORY: f"Unusual payment to {alert.payee}",
        MovementRule.NEW_PAYEE: f"First payment to {alert.payee}",
        MovementRule.MISSING_RECEIPT: f"No payment from {alert.payee} yet this month",
    }
    return titles[MovementRule(alert.rule)]


def _message(tenant: Tenant, alert: MovementAlert) -> Message:
    data: dict[str, Any] = {
        "movement_id": alert.pk,
        "rule": alert.rule,
        "payee": alert.payee,
        "transaction_id": alert.transaction_id,
    }
    return Message(
        tenant,
        kind="warning",
        title=title(alert)[:120],
        body=alert.reason,
        data=data,  # raised once: MovementAlert's key is unique per tenant
    )


def with_normal(alerts: QuerySet[MovementAlert]) -> QuerySet[MovementAlert]:
    """Each alert with ``normal``: whether its rule was since marked normal for its payee."""
    marked = NormalMovement.objects.filter(
        tenant=OuterRef("tenant"), rule=OuterRef("rule"), payee_key=OuterRef("payee_key")
    )
    return alerts.annotate(normal=Exists(marked))


def mark_normal(alert: MovementAlert, user: Any) -> tuple[NormalMovement, bool]:
    """ "This is normal": the same rule does not alert for this payee again. Says whether it
    is new (marking twice is harmless)."""
    return NormalMovement.objects.get_or_create(
        tenant=alert.tenant,
        rule=alert.rule,
        payee_key=alert.payee_key,
        defaults={"created_by": user if getattr(user, "pk", None) else None},
    )
