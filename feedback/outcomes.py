"""What plan outcomes teach the engine: templates whose plans move their figure rank higher.

Per template over every tenant, the share of reported plans whose figure moved the right way,
shrunk toward the overall share; per tenant, its own share shrunk toward that template estimate
(the same Beta-binomial shrinkage as helpfulness, ``feedback.learning.shrunk``). The result is
a score factor per template, multiplied into the engine's adjustments as a plain input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from django.db.models import Count, Q

from coach.models import ActionPlan
from feedback.learning import factor, shrunk

# Outcomes reorder advice gently: a plan that worked is evidence, not a verdict.
MIN_FACTOR, MAX_FACTOR = 0.8, 1.25
# Pseudo-plans at the prior (per template toward the overall share; per tenant toward the
# template's), and how strongly an estimate away from the overall share moves the score.
PRIOR_STRENGTH = 4.0
PUSH = 1.0


def outcome_adjustments(tenant_ids: Sequence[UUID]) -> dict[UUID, dict[str, float]]:
    """Score factors by template for each tenant (only those that are not 1), in two queries."""
    reported = Q(outcome__isnull=False, recommendation__isnull=False)
    worked = Q(outcome__moved="better")
    rows = (
        ActionPlan.objects.filter(reported)
        .values("recommendation__template_key")
        .annotate(total=Count("id"), good=Count("id", filter=worked))
    )
    per_template = {r["recommendation__template_key"]: (r["good"], r["total"]) for r in rows}
    total = sum(t for _, t in per_template.values())
    if not total:
        return {}
    overall = sum(g for g, _ in per_template.values()) / total
    template_rate = {
        key: shrunk(good, count, overall, PRIOR_STRENGTH)
        for key, (good, count) in per_template.items()
    }
    result: dict[UUID, dict[str, float]] = defaultdict(dict)
    for tenant_id in tenant_ids:
        for key, rate in template_rate.items():
            if (f := _bounded(factor(rate, overall, PUSH))) != 1.0:
                result[tenant_id][key] = f
    tenant_rows = (
        ActionPlan.objects.filter(reported, tenant_id__in=list(tenant_ids))
        .values("tenant_id", "recommendation__template_key")
        .annotate(total=Count("id"), good=Count("id", filter=worked))
    )
    for row in tenant_rows:
        key = row["recommendation__template_key"]
        estimate = shrunk(row["good"], row["total"], template_rate[key], PRIOR_STRENGTH)
        adjusted = _bounded(factor(estimate, overall, PUSH))
        if adjusted != 1.0:
            result[row["tenant_id"]][key] = adjusted
        else:
            result[row["tenant_id"]].pop(key, None)
    return dict(result)


def _bounded(value: float) -> float:
    return round(min(MAX_FACTOR, max(MIN_FACTOR, value)), 3)
