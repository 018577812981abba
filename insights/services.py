"""The composition at the top of the stack: books → metrics → score → catalog → engine → stored.

``assess`` is pure (plain data in and out), so the daily batch and the on-demand generation
share it; ``generate_recommendations`` adds the database around it for one tenant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction

from coach.catalog.base import Candidate, TemplateContext
from coach.catalog.registry import evaluate
from coach.engine import EngineConfig, IssuedBefore, rank
from coach.models import Recommendation
from coach.services import issue_recommendations, recent_history
from gateway.models import Tenant
from insights.financials import load_periods
from insights.metrics import FinancialMetrics, Period, compute_metrics
from insights.scoring import HealthScore, score_health


@dataclass(frozen=True)
class Assessment:
    metrics: FinancialMetrics
    health: HealthScore
    candidates: list[Candidate]  # ranked, capped: what to issue


@dataclass(frozen=True)
class Generation:
    assessment: Assessment
    recommendations: list[Recommendation]


def engine_config() -> EngineConfig:
    return EngineConfig(
        cooldown_days=settings.COACH_COOLDOWN_DAYS,
        max_per_day=settings.COACH_MAX_RECOMMENDATIONS_PER_DAY,
    )


def assess(
    periods: Sequence[Period],
    *,
    currency: str,
    tenant_name: str,
    today: date,
    history: Sequence[IssuedBefore] = (),
    adjustments: Mapping[str, float] | None = None,
    silenced: Mapping[str, date] | None = None,
    config: EngineConfig | None = None,
) -> Assessment:
    """Score the books and choose today's recommendations; no I/O."""
    metrics = compute_metrics(periods)
    health = score_health(metrics.values)
    cash_flow = [row.to_dict() for row in metrics.cash_flow]
    candidates = evaluate(
        metrics.values,
        metrics.series,
        cash_flow,
        TemplateContext(currency=currency, tenant_name=tenant_name),
    )
    ranked = rank(
        candidates,
        today=today,
        history=history,
        adjustments=adjustments,
        silenced=silenced,
        config=config or engine_config(),
    )
    return Assessment(metrics=metrics, health=health, candidates=ranked)


@transaction.atomic
def generate_recommendations(tenant: Tenant, *, today: date | None = None) -> Generation:
    """Score the tenant now and issue what is new today (repeats are held back by the cooldown,
    which counts what was already issued today, so running it twice issues nothing twice)."""
    today = today or tenant.local_today()
    config = engine_config()
    assessment = assess(
        load_periods(tenant),
        currency=tenant.currency,
        tenant_name=tenant.name,
        today=today,
        history=recent_history(tenant, today=today, days=config.cooldown_days),
        config=config,
    )
    issued = issue_recommendations(tenant, assessment.candidates, issued_on=today)
    return Generation(assessment=assessment, recommendations=issued)
