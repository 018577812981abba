"""Load: what a set of (tenant, local date) items needs, in a constant number of queries.

Whatever is read for the whole set is parsed tenant by tenant, so one tenant's bad data (a
stored health that no longer parses, a corrupt zone) fails that tenant alone, in ``plan``.
"""

from __future__ import annotations

import traceback
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from coach.engine import EngineConfig, IssuedBefore
from coach.models import ActionPlan, PlanStatus, Recommendation, Status
from coach.outcomes import OpenPlan
from coach.vocabulary import Priority
from feedback.learning import EngineInputs, engine_inputs
from feedback.outcomes import outcome_adjustments
from gateway.models import Tenant
from insights.forecast.engine import MIN_MONTHS
from insights.forecast.store import StoredForecast, bank_marks, books_version, latest_stored
from insights.imports.news import transaction_news
from insights.metrics import MONEY_FIELDS, Period
from insights.models import FinancialPeriod, Insight
from insights.scheduling import Item
from insights.scoring import HealthScore
from insights.services import engine_config


@dataclass
class Inputs:
    """One tenant's day, as ``plan`` needs it."""

    tenant: Tenant
    day: date
    at: datetime  # the instant the work is for: the next run is computed from it
    periods: list[Period]
    config: EngineConfig
    history: list[IssuedBefore] = field(default_factory=list)
    previous: HealthScore | None = None
    learned: EngineInputs | None = None
    news: dict[str, Any] | None = None  # the bank's transactions since the last insight
    # The stored forecast of these very books (None: none yet, or the books changed since);
    # ``forecast_stale``: the books have none of their version, so one is computed after commit.
    forecast: StoredForecast | None = None
    forecast_stale: bool = False
    plans: list[OpenPlan] = field(default_factory=list)  # plans whose outcome is still to come
    failure: tuple[str, str] | None = None  # (error, traceback) when the inputs could not be read


def load(items: Sequence[Item], *, at: datetime, as_they_stood: bool = False) -> list[Inputs]:
    """The inputs of ``items`` (deduplicated; unknown tenants dropped), in the items' order.

    ``as_they_stood``: each day sees only the months closed before it (a past day replayed).
    """
    items = list(dict.fromkeys(items))
    tenants = Tenant.objects.in_bulk([tenant_id for tenant_id, _ in items])
    items = [item for item in items if item[0] in tenants]
    if not items:
        return []
    config = engine_config()
    periods = _period_rows(tenants)
    history = _history_rows(items, config.cooldown_days)
    previous = _previous_health(items)
    news = {} if as_they_stood else transaction_news(items, tenants)
    try:
        learned: dict[UUID, EngineInputs] | None = engine_inputs(
            list(tenants), max(day for _, day in items)
        )
    except Exception:
        learned = None  # one tenant's feedback broke the batch's query: read them one by one
    forecasts = {} if as_they_stood else latest_stored(list(tenants))
    banks = {} if as_they_stood else bank_marks(list(tenants))
    open_plans = {} if as_they_stood else _open_plans(list(tenants))
    snoozes = {} if as_they_stood else _snoozes(list(tenants))
    try:
        outcomes = outcome_adjustments(list(tenants))
    except Exception:
        outcomes = {}  # plans' outcomes are a refinement: the insight goes on without them
    loaded = []
    for tenant_id, day in items:
        inputs = Inputs(tenant=tenants[tenant_id], day=day, at=at, periods=[], config=config)
        stage = "books"
        try:
            cutoff = day.replace(day=1) if as_they_stood else date.max
            inputs.periods = [
                Period(month, *money) for month, *money in periods[tenant_id] if month < cutoff
            ]
            stage = "history"
            inputs.history = [
                IssuedBefore(key, Priority(priority), issued_on)
                for key, priority, issued_on in history[tenant_id]
                if issued_on < day
            ]
            stage = "previous insight"
            raw = previous.get(tenant_id)
            inputs.previous = HealthScore.from_dict(raw) if raw else None
            stage = "feedback"
            if learned is None:
                inputs.learned = engine_inputs([tenant_id], day).get(tenant_id)
            else:
                inputs.learned = learned.get(tenant_id)
            inputs.news = news.get(tenant_id)
            stage = "forecast"
            if not as_they_stood and len(periods[tenant_id]) >= MIN_MONTHS:
                stored = forecasts.get(tenant_id)
                version = books_version(
                    periods[tenant_id], inputs.tenant.cash_buffer, banks.get(tenant_id)
                )
                if stored is not None and stored.books_version == version:
                    inputs.forecast = stored
                else:
                    inputs.forecast_stale = True
            inputs.plans = open_plans.get(tenant_id, [])
            if outcomes.get(tenant_id):
                inputs.learned = _with_outcomes(inputs.learned, outcomes[tenant_id])
            if snoozes.get(tenant_id):
                inputs.learned = _with_snoozes(inputs.learned, snoozes[tenant_id])
        except Exception as exc:
            inputs.failure = (f"{stage}: {type(exc).__name__}: {exc}", _trace())
        loaded.append(inputs)
    return loaded


def _with_outcomes(learned: EngineInputs | None, factors: dict[str, float]) -> EngineInputs:
    """Feedback's factors times what plans achieved, per template (the engine takes one)."""
    base = learned or EngineInputs()
    adjustments = dict(base.adjustments)
    for key, value in factors.items():
        adjustments[key] = round(adjustments.get(key, 1.0) * value, 3)
    return EngineInputs(adjustments=adjustments, silenced=dict(base.silenced))


def _snoozes(tenant_ids: list[UUID]) -> dict[UUID, dict[str, date]]:
    """Templates a user snoozed, per tenant: silenced through the day before they wake."""
    rows = Recommendation.objects.filter(
        tenant_id__in=tenant_ids, snoozed_until__isnull=False
    ).values_list("tenant_id", "template_key", "snoozed_until")
    found: dict[UUID, dict[str, date]] = defaultdict(dict)
    for tenant_id, key, until in rows:
        if until is None:
            continue
        last = until - timedelta(days=1)
        if last > found[tenant_id].get(key, date.min):
            found[tenant_id][key] = last
    return found


def _with_snoozes(learned: EngineInputs | None, silenced: dict[str, date]) -> EngineInputs:
    base = learned or EngineInputs()
    merged = dict(base.silenced)
    for key, until in silenced.items():
        merged[key] = max(until, merged.get(key, date.min))
    return EngineInputs(adjustments=dict(base.adjustments), silenced=merged)


def _trace() -> str:
    return traceback.format_exc()[-8000:]


def _period_rows(tenant_ids: Iterable[UUID]) -> dict[UUID, list[tuple[Any, ...]]]:
    """Each tenant's books as raw rows (month, money...), checked tenant by tenant later."""
    grouped: dict[UUID, list[tuple[Any, ...]]] = defaultdict(list)
    rows = FinancialPeriod.objects.filter(tenant_id__in=list(tenant_ids)).values_list(
        "tenant_id", "month", *MONEY_FIELDS
    )
    for tenant_id, *row in rows.iterator(chunk_size=5000):
        grouped[tenant_id].append(tuple(row))
    return grouped


def _open_plans(tenant_ids: Sequence[UUID]) -> dict[UUID, list[OpenPlan]]:
    """Each tenant's plans whose figure is followed and whose outcome is not reported yet."""
    rows = (
        ActionPlan.objects.filter(
            tenant_id__in=tenant_ids,
            outcome_reported_at__isnull=True,
            status__in=[PlanStatus.ACTIVE, PlanStatus.DONE],
            metric_start__isnull=False,
        )
        .exclude(metric="")
        .values_list(
            "id",
            "tenant_id",
            "title",
            "metric",
            "metric_start",
            "start_date",
            "due_date",
            "status",
            "recommendation__template_key",
            "readings",
        )
    )
    found: dict[UUID, list[OpenPlan]] = defaultdict(list)
    for pk, tenant_id, title, metric, start, started, due, status, key, readings in rows:
        found[tenant_id].append(
            OpenPlan(
                pk,
                tenant_id,
                title,
                metric,
                float(start or 0.0),  # filtered: never null here
                started,
                due,
                status == PlanStatus.DONE,
                key or "",
                list(readings or []),
            )
        )
    return found


def _history_rows(items: Sequence[Item], cooldown_days: int) -> dict[UUID, list[tuple[Any, ...]]]:
    """What each tenant was issued before, for the cooldown. A withdrawn recommendation was
    replaced by a newer one and puts nothing into cooldown."""
    earliest = min(day for _, day in items) - timedelta(days=cooldown_days)
    latest = max(day for _, day in items)
    rows = (
        Recommendation.objects.filter(
            tenant_id__in=[tenant_id for tenant_id, _ in items],
            issued_on__gte=earliest,
            issued_on__lt=latest,
        )
        .exclude(status=Status.WITHDRAWN)
        .values_list("tenant_id", "template_key", "priority", "issued_on")
    )
    history: dict[UUID, list[tuple[Any, ...]]] = defaultdict(list)
    for tenant_id, *row in rows:
        history[tenant_id].append(tuple(row))
    return history


def _previous_health(items: Sequence[Item]) -> dict[UUID, Any]:
    """Each tenant's latest insight health before its item's date, as stored (parsed later,
    tenant by tenant), to say what changed since."""
    latest = max(day for _, day in items)
    rows = (
        Insight.objects.filter(tenant_id__in=[t for t, _ in items], local_date__lt=latest)
        .order_by("tenant_id", "-local_date")
        .distinct("tenant_id")
        .values_list("tenant_id", "local_date", "health")
    )
    wanted = dict(items)
    return {tenant_id: health for tenant_id, day, health in rows if day < wanted[tenant_id]}
