"""The buffer-breach alert: a critical coach alert, once per breach, through the daily write.

The daily insight sees the stored forecast; when its median date of falling below the buffer is
within the tenant's warning window, ``write`` opens a ``ForecastAlert`` (at most one open per
tenant, a constraint) and only the write that opened it sends the alert: joined to the day's
critical cash alert when there is one (its body says the date, its data carries it), its own
otherwise. The first insight that sees no breach closes it, so a later breach alerts again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connection

from coach.catalog.formatting import calendar_date, money
from coach.vocabulary import Category
from gateway.models import Tenant
from insights.forecast.models import ForecastAlert
from notifications.services import Message

KIND = "forecast_breach"


def breach_data(breach: dict[str, Any]) -> dict[str, Any]:
    """What an alert carries of the breach (``data["forecast_breach"]``)."""
    return {
        "books_version": breach["books_version"],
        "buffer_breach": breach["buffer_breach"],
        "cash_zero": breach.get("cash_zero"),
    }


def breach_sentence(tenant: Tenant, breach: dict[str, Any], buffer: str) -> str:
    """The median date, the band around it, and cash-zero when it comes."""
    band = breach["buffer_breach"]
    on: date = breach["on"]
    amount = money(float(Decimal(buffer)), tenant.currency)
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
    return body + (
        f". That is within the {tenant.forecast_warning_weeks} weeks you asked to be warned of. "
        "Open the forecast to see what moves the date."
    )


def breach_message(tenant: Tenant, day: date, breach: dict[str, Any], buffer: str) -> Message:
    """The breach's own alert, on a day that raises no critical cash alert to carry it."""
    title = f"Cash is forecast to fall below your buffer on {calendar_date(breach['on'])}"
    return Message(
        tenant,
        kind="coach_alert",
        title=title[:200],
        body=breach_sentence(tenant, breach, buffer),
        data={
            "kind": KIND,
            "insight_date": day.isoformat(),
            "forecast_breach": breach_data(breach),
        },
    )


def breach_alerts(
    wanted: Sequence[tuple[Tenant, date, dict[str, Any], str]], alerts: list[Message]
) -> list[Message]:
    """The breach alerts of ``wanted`` (tenant, day, breach, buffer), once per breach.

    A breach already open alerts nothing. One opened now joins the day's critical cash-flow
    alert of its tenant when there is one (``alerts``, changed in place: one alert about cash a
    morning, not two), and is its own alert otherwise (returned)."""
    opened = _open([(t, d, b) for t, d, b, _ in wanted])
    cash_alert = {
        m.tenant.pk: index
        for index, m in enumerate(alerts)
        if m.kind == "coach_alert" and (m.data or {}).get("category") == Category.CASH_FLOW
    }
    own = []
    for tenant, day, breach, buffer in wanted:
        if tenant.pk not in opened:
            continue
        index = cash_alert.get(tenant.pk)
        if index is None:
            own.append(breach_message(tenant, day, breach, buffer))
            continue
        carrier = alerts[index]
        alerts[index] = replace(
            carrier,
            body=f"{carrier.body} {breach_sentence(tenant, breach, buffer)}",
            data={**(carrier.data or {}), "forecast_breach": breach_data(breach)},
        )
    return own


def _open(wanted: Sequence[tuple[Tenant, date, dict[str, Any]]]) -> set[Any]:
    """Open a breach for each (tenant, day, breach) that has none open; the tenants opened now
    (``ON CONFLICT DO NOTHING RETURNING``: of two writers, only one opens it)."""
    if not wanted:
        return set()
    values = ", ".join(["(%s, %s, %s, %s, NULL, now())"] * len(wanted))
    params: list[Any] = []
    for tenant, day, breach in wanted:
        params += [tenant.pk, day, breach["on"], breach["books_version"]]
    table = ForecastAlert._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (tenant_id, opened_on, breach_date, books_version, closed_on, "  # noqa: S608 - the table name is the model's
            f"created_at) VALUES {values} ON CONFLICT (tenant_id) WHERE closed_on IS NULL "
            "DO NOTHING RETURNING tenant_id",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


def close_breaches(clear: Sequence[tuple[UUID, date]]) -> None:
    """Close the open breach of each tenant whose insight of ``day`` saw none."""
    by_day: dict[date, list[UUID]] = defaultdict(list)
    for tenant_id, day in clear:
        by_day[day].append(tenant_id)
    for day, tenant_ids in by_day.items():
        ForecastAlert.objects.filter(tenant_id__in=tenant_ids, closed_on__isnull=True).update(
            closed_on=day
        )
