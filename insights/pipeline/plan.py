"""Plan: each tenant's insight decided in memory, from its inputs alone (no I/O).

A tenant whose plan cannot be made (bad books, a corrupt zone, inputs that did not load) gets
a failed plan that ``write`` records; the others are not affected.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from coach.catalog.base import Candidate
from coach.outcomes import Progress, progress
from coach.vocabulary import Priority, Stage
from gateway.models import Tenant
from insights.forecast.impact import stored_impact
from insights.pipeline.load import Inputs
from insights.scheduling import Item, next_run_at
from insights.scoring import HealthScore, explain_change
from insights.services import assess


@dataclass
class InsightPlan:
    """What a tenant's insight for ``day`` should be: its score, what changed, its advice."""

    tenant: Tenant
    day: date
    health: HealthScore | None = None
    stage: Stage | None = None  # the business's stage from its books (None: no books)
    change: dict[str, Any] = field(default_factory=dict)
    as_of: date | None = None
    candidates: list[Candidate] = field(default_factory=list)  # ranked: what to issue
    # The stored forecast's summary the insight records (None: no forecast of these books yet),
    # each candidate's impact by template key, and the buffer breach to alert (None: no breach
    # within the tenant's warning window, or no forecast to say).
    forecast: dict[str, Any] | None = None
    forecast_stale: bool = False
    impacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    breach: dict[str, Any] | None = None
    plans: list[Progress] = field(default_factory=list)  # each open plan's reading (outcome)
    next_run_at: datetime | None = None
    duration_ms: float = 0.0
    error: str = ""
    traceback: str = ""

    @property
    def item(self) -> Item:
        return (self.tenant.pk, self.day)

    @property
    def failed(self) -> bool:
        return bool(self.error)

    @property
    def alerts(self) -> list[Candidate]:
        """The candidates that become a coach alert for every member: the critical ones."""
        return [c for c in self.candidates if c.priority == Priority.CRITICAL]


def plan(inputs: Sequence[Inputs], *, advise: bool = True) -> list[InsightPlan]:
    """One plan per input, in order. ``advise=False`` scores without recommendations (a look
    back at a past day, where advice would come too late)."""
    return [_plan_one(one, advise) for one in inputs]


def _plan_one(inputs: Inputs, advise: bool) -> InsightPlan:
    tenant, day = inputs.tenant, inputs.day
    started = time.perf_counter()
    if inputs.failure:
        error, trace = inputs.failure
        return InsightPlan(tenant, day, error=error[:2000], traceback=trace)
    learned = inputs.learned
    try:
        assessment = assess(
            inputs.periods,
            currency=tenant.currency,
            tenant_name=tenant.name,
            today=day,
            history=inputs.history,
            adjustments=learned.adjustments if learned else None,
            silenced=learned.silenced if learned else None,
            config=inputs.config,
            advise=advise,
            industry=tenant.industry,
            cash_buffer=float(tenant.cash_buffer) if tenant.cash_buffer is not None else None,
        )
        change = explain_change(
            assessment.health, inputs.previous, currency=tenant.currency
        ).to_dict()
        if inputs.news:
            change["cash"] = inputs.news  # the bank's news: every morning has some
        # The next run is computed here too: a tenant with a corrupt zone fails here, alone.
        following = next_run_at(inputs.at, tenant.timezone, tenant.insight_hour, day)
    except Exception as exc:
        return InsightPlan(
            tenant,
            day,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            traceback=traceback.format_exc()[-8000:],
        )
    planned = InsightPlan(
        tenant,
        day,
        health=assessment.health,
        stage=assessment.stage,
        change=change,
        as_of=assessment.metrics.as_of,
        candidates=assessment.candidates,
        next_run_at=following,
        forecast_stale=inputs.forecast_stale,
        plans=progress(inputs.plans, assessment.metrics.values, day, tenant.currency),
    )
    if inputs.forecast is not None:
        try:
            _read_forecast(planned, inputs)
        except Exception:  # a stored forecast that no longer reads: the insight goes without it
            planned.forecast = planned.breach = None
            planned.impacts = {}
            planned.forecast_stale = True
    planned.duration_ms = (time.perf_counter() - started) * 1000
    return planned


def _read_forecast(planned: InsightPlan, inputs: Inputs) -> None:
    """The stored forecast's part in the day's insight: its summary, each card's impact, and
    whether the buffer breach falls within the tenant's warning window (the alert)."""
    stored = inputs.forecast
    if stored is None:
        return
    tenant = inputs.tenant
    planned.forecast = stored.summary()
    if stored.impacts:
        for candidate in planned.candidates:
            found = stored_impact(
                stored.impacts, candidate.template_key, candidate.figures, tenant.currency
            )
            if found is not None:
                planned.impacts[candidate.template_key] = found
    breach = (stored.buffer_breach or {}).get("p50")
    if breach:
        on = date.fromisoformat(breach)
        if on <= inputs.day + timedelta(weeks=tenant.forecast_warning_weeks):
            planned.breach = {
                "books_version": stored.books_version,
                "buffer_breach": dict(stored.buffer_breach or {}),
                "cash_zero": dict(stored.cash_zero) if stored.cash_zero else None,
                "on": on,
            }
