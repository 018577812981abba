"""The composition at the top of the stack: books → metrics → score → catalog → engine.

``assess`` is pure (plain data in and out): the insight pipeline's ``plan`` step calls it for
every tenant, and tests call it to say what the pipeline should have stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from coach.catalog.base import Candidate, TemplateContext
from coach.catalog.registry import evaluate
from coach.engine import EngineConfig, IssuedBefore, rank
from coach.stage import derive_stage
from coach.vocabulary import Stage
from insights.metrics import FinancialMetrics, Period, compute_metrics
from insights.scoring import HealthScore, score_health


@dataclass(frozen=True)
class Assessment:
    metrics: FinancialMetrics
    health: HealthScore
    candidates: list[Candidate]  # ranked, capped: what to issue
    stage: Stage | None = None  # derived from the books (coach.stage)


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
    advise: bool = True,
    industry: str | None = None,
    cash_buffer: float | None = None,
) -> Assessment:
    """Score the books and choose today's recommendations; no I/O.

    ``advise=False`` scores only (no candidates): a look back at a past day needs no advice.
    ``industry`` sets the norms the ratios are read against; ``cash_buffer`` is the cash the
    tenant wants to keep (None: one month of costs).
    """
    metrics = compute_metrics(periods)
    health = score_health(metrics.values, currency=currency, industry=industry)
    stage = derive_stage(metrics.values)
    if not advise:
        return Assessment(metrics=metrics, health=health, candidates=[], stage=stage)
    cash_flow = [row.to_dict() for row in metrics.cash_flow]
    candidates = evaluate(
        metrics.values,
        metrics.series,
        cash_flow,
        TemplateContext(
            currency=currency,
            tenant_name=tenant_name,
            industry=industry or "other",
            stage=stage,
            cash_buffer=cash_buffer,
        ),
    )
    ranked = rank(
        candidates,
        today=today,
        history=history,
        adjustments=adjustments,
        silenced=silenced,
        config=config or engine_config(),
    )
    return Assessment(metrics=metrics, health=health, candidates=ranked, stage=stage)
