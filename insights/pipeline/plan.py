"""Plan: each tenant's insight decided in memory, from its inputs alone (no I/O).

A tenant whose plan cannot be made (bad books, a corrupt zone, inputs that did not load) gets
a failed plan that ``write`` records; the others are not affected.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from coach.catalog.base import Candidate
from coach.vocabulary import Priority
from gateway.models import Tenant
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
    change: dict[str, Any] = field(default_factory=dict)
    as_of: date | None = None
    candidates: list[Candidate] = field(default_factory=list)  # ranked: what to issue
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
        )
        change = explain_change(assessment.health, inputs.previous).to_dict()
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
    return InsightPlan(
        tenant,
        day,
        health=assessment.health,
        change=change,
        as_of=assessment.metrics.as_of,
        candidates=assessment.candidates,
        next_run_at=following,
        duration_ms=(time.perf_counter() - started) * 1000,
    )
