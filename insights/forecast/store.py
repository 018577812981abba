"""Computing and storing a tenant's forecast for its books' version, and reading it back.

A forecast is a function of the books (and the buffer setting): ``books_version`` names that
input, and a forecast is computed once per version, on the worker pool, when the books change
(``insights.daily.books_changed`` enqueues it). The daily insight reads the stored one and
never fits anything itself.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q

from gateway.models import Tenant
from insights.forecast.engine import (
    Anchor,
    NotEnoughBooks,
    Simulation,
    money_text,
    run,
    simulate,
)
from insights.forecast.models import Forecast
from insights.imports.cash import latest_cash
from insights.imports.models import BANK_KINDS, DataImport, ImportStatus
from insights.metrics import MONEY_FIELDS, Period
from insights.models import FinancialPeriod

log = logging.getLogger(__name__)

UNDONE = Q(status=ImportStatus.UNDONE)

# Older versions kept per tenant (the latest is what everything reads; a few are history).
KEEP_VERSIONS = 3


# Stands for an unknown (None) value in the version: None's own hash is its address, which
# differs from process to process.
_UNKNOWN = -(2**61) + 12345


def books_version(
    rows: Iterable[Sequence[Any]], buffer: Decimal | None, bank: str | None = None
) -> str:
    """The version of the books' rows (month, money fields...), the buffer setting and, for a
    tenant with bank statements, their mark (``bank_marks``: the daily cash may start it).

    The rows are what ``FinancialPeriod.values_list("month", *MONEY_FIELDS)`` gives, in any
    order; the daily load reads the same rows for every tenant of a batch, so this is Python's
    numeric hash of them (64 bits; the same in every process, unlike a string's or a date's),
    several times cheaper than stringifying every amount for a SHA-256."""
    key = tuple(
        (row[0].toordinal(), *[_UNKNOWN if v is None else v for v in row[1:]])
        for row in sorted(rows, key=lambda r: r[0])
    )
    parts: tuple[Any, ...] = (key, _UNKNOWN if buffer is None else buffer)
    if bank:
        parts += (zlib.crc32(bank.encode()),)
    return f"{hash(parts) & 0xFFFFFFFFFFFFFFFF:016x}"


def bank_marks(tenant_ids: Sequence[UUID]) -> dict[UUID, str]:
    """Per tenant with bank statements, a mark that changes with every statement imported or
    undone (the transactions and balances behind its daily cash change only so)."""
    rows = (
        DataImport.objects.filter(tenant_id__in=list(tenant_ids), kind__in=BANK_KINDS)
        .values("tenant_id")
        .annotate(last=Max("id"), count=Count("id"), undone=Count("id", filter=UNDONE))
        .values_list("tenant_id", "last", "count", "undone")
    )
    return {tenant_id: f"{last}:{count}:{undone}" for tenant_id, last, count, undone in rows}


def bank_anchor(tenant: Tenant) -> Anchor | None:
    """Where the bank statements leave the tenant's cash (``engine.simulate`` decides if the
    forecast starts there)."""
    latest = latest_cash(tenant)
    return None if latest is None else Anchor(latest[0], float(latest[1]))


def tenant_rows(tenant_id: UUID) -> list[tuple[Any, ...]]:
    return list(
        FinancialPeriod.objects.filter(tenant_id=tenant_id)
        .order_by("month")
        .values_list("month", *MONEY_FIELDS)
    )


def periods_of(rows: Iterable[Sequence[Any]]) -> list[Period]:
    return [Period(month, *money) for month, *money in rows]


def buffer_of(tenant: Tenant) -> float | None:
    return None if tenant.cash_buffer is None else float(tenant.cash_buffer)


@dataclass
class Computed:
    forecast: Forecast | None  # None: the books cannot carry a forecast
    created: bool
    reason: str = ""


def compute(tenant: Tenant) -> Computed:
    """The tenant's forecast for its current books, computed and stored unless it exists.

    Safe to run twice at once: the (tenant, version) constraint keeps one; the loser reads it."""
    rows = tenant_rows(tenant.pk)
    bank = bank_marks([tenant.pk]).get(tenant.pk)
    version = books_version(rows, tenant.cash_buffer, bank)
    existing = Forecast.objects.filter(tenant=tenant, books_version=version).first()
    if existing is not None:
        return Computed(existing, created=False)
    started = time.perf_counter()
    periods = periods_of(rows)
    try:
        sim = simulate(periods, anchor=bank_anchor(tenant) if bank else None)
    except NotEnoughBooks as exc:
        return Computed(None, created=False, reason=str(exc))
    base = run(sim, buffer=buffer_of(tenant))
    from insights.forecast.impact import impacts_for  # the pipeline imports this module

    impacts = impacts_for(tenant, sim, base, periods)
    body = base.to_dict(tenant.currency)
    row = Forecast(
        tenant=tenant,
        books_version=version,
        as_of=base.as_of,
        method=base.method.describe(),
        buffer=Decimal(money_text(base.buffer)),
        body=body,
        cash_zero=body["cash_zero"],
        buffer_breach=body["buffer_breach"],
        runway_days=base.runway_days(),
        cash_13w=Decimal(money_text(base.cash_13w)),
        impacts=impacts,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # computed by another worker meanwhile
        return Computed(Forecast.objects.get(tenant=tenant, books_version=version), created=False)
    stale = Forecast.objects.filter(tenant=tenant).order_by("-computed_at", "-id")[KEEP_VERSIONS:]
    Forecast.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    log.info(
        "forecast computed tenant=%s version=%s method=%r ms=%.1f",
        tenant.pk,
        version[:12],
        row.method,
        row.duration_ms,
    )
    return Computed(row, created=True)


def current(tenant: Tenant) -> Forecast | None:
    """The stored forecast of the tenant's current books, or None (not computed yet)."""
    bank = bank_marks([tenant.pk]).get(tenant.pk)
    version = books_version(tenant_rows(tenant.pk), tenant.cash_buffer, bank)
    return Forecast.objects.filter(tenant=tenant, books_version=version).first()


def simulation_for(tenant: Tenant) -> tuple[Simulation, list[Period]]:
    """The current books' simulation (for a scenario); raises ``NotEnoughBooks``."""
    periods = periods_of(tenant_rows(tenant.pk))
    bank = bank_marks([tenant.pk]).get(tenant.pk)
    return simulate(periods, anchor=bank_anchor(tenant) if bank else None), periods


# --- what the daily insight reads --------------------------------------------------------------


@dataclass(frozen=True)
class StoredForecast:
    """The part of a stored forecast the daily insight needs (not the weeks and months)."""

    books_version: str
    as_of: date
    buffer: Decimal
    cash_zero: Mapping[str, str | None] | None
    buffer_breach: Mapping[str, str | None] | None
    runway_days: int | None
    impacts: Mapping[str, Any]

    def summary(self) -> dict[str, Any]:
        """What the insight records of it (the morning email and the dashboard read it)."""
        return {
            "books_version": self.books_version,
            "as_of": self.as_of.isoformat(),
            "buffer": str(self.buffer),
            "cash_zero": self.cash_zero,
            "buffer_breach": self.buffer_breach,
            "runway_days": self.runway_days,
        }


def latest_stored(tenant_ids: Sequence[UUID]) -> dict[UUID, StoredForecast]:
    """Each tenant's latest stored forecast, in one query (its version says if it is current)."""
    rows = (
        Forecast.objects.filter(tenant_id__in=list(tenant_ids))
        .order_by("tenant_id", "-computed_at", "-id")
        .distinct("tenant_id")
        .values_list(
            "tenant_id",
            "books_version",
            "as_of",
            "buffer",
            "cash_zero",
            "buffer_breach",
            "runway_days",
            "impacts",
        )
    )
    return {tenant_id: StoredForecast(*rest) for tenant_id, *rest in rows}
