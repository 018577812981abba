"""The buffer-breach alert: a critical coach alert, once per breach, through the daily write.

The daily insight sees the stored forecast; when its median date of falling below the buffer is
within the tenant's warning window, ``write`` opens a ``ForecastAlert`` (at most one open per
tenant, a constraint) and only the write that opened it sends the alert. The first insight that
sees no breach closes it, so a later breach alerts again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connection

from coach.catalog.formatting import calendar_date, money
from gateway.models import Tenant
from insights.forecast.models import ForecastAlert
from notifications.services import Message

KIND = "forecast_breach"


def breach_message(tenant: Tenant, day: date, breach: dict[str, Any], buffer: str) -> Message:
    """The alert's words: the median date, the band around it, and cash-zero when it comes."""
    band = breach["buffer_breach"]
    on: date = breach["on"]
    amount = money(float(Decimal(buffer)), tenant.currency)
    title = f"Cash is forecast to fall below your buffer on {calendar_date(on)}"
    body = (
        f"In the middle of the forecast, cash falls below your buffer of {amount} on "
        f"{calendar_date(on)}"
    )
    early, late = band.get("p10"), band.get("p90")
    if early and late:
        body += (
            f" (between {calendar_date(date.fromisoformat(early))} and "
            f"{calendar_date(date.fromisoformat(late))} in 8 of 10 simulated outcomes)"
        )
    zero = (breach.get("cash_zero") or {}).get("p50")
    if zero:
        body += f", and runs out on {calendar_date(date.fromisoformat(zero))}"
    body += (
        f". That is within the {tenant.forecast_warning_weeks} weeks you asked to be warned of. "
        "Open the forecast to see what moves the date."
    )
    return Message(
        tenant,
        kind="coach_alert",
        title=title[:200],
        body=body,
        data={
            "kind": KIND,
            "insight_date": day.isoformat(),
            "books_version": breach["books_version"],
            "buffer_breach": band,
            "cash_zero": breach.get("cash_zero"),
        },
    )


def open_breaches(wanted: Sequence[tuple[Tenant, date, dict[str, Any], str]]) -> list[Message]:
    """Open a breach for each (tenant, day, breach, buffer) that has none open; the alerts of
    those opened now (a tenant whose breach is already open gets nothing)."""
    if not wanted:
        return []
    values = ", ".join(["(%s, %s, %s, %s, NULL, now())"] * len(wanted))
    params: list[Any] = []
    for tenant, day, breach, _ in wanted:
        params += [tenant.pk, day, breach["on"], breach["books_version"]]
    table = ForecastAlert._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (tenant_id, opened_on, breach_date, books_version, closed_on, "  # noqa: S608 - the table name is the model's
            f"created_at) VALUES {values} ON CONFLICT (tenant_id) WHERE closed_on IS NULL "
            "DO NOTHING RETURNING tenant_id",
            params,
        )
        opened = {row[0] for row in cursor.fetchall()}
    return [
        breach_message(tenant, day, breach, buffer)
        for tenant, day, breach, buffer in wanted
        if tenant.pk in opened
    ]


def close_breaches(clear: Sequence[tuple[UUID, date]]) -> None:
    """Close the open breach of each tenant whose insight of ``day`` saw none."""
    by_day: dict[date, list[UUID]] = defaultdict(list)
    for tenant_id, day in clear:
        by_day[day].append(tenant_id)
    for day, tenant_ids in by_day.items():
        ForecastAlert.objects.filter(tenant_id__in=tenant_ids, closed_on__isnull=True).update(
            closed_on=day
        )
