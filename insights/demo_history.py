"""Ninety days of insight history for the demo tenants, so the trend chart has a story to show.

Each past day is scored on the books as they stood that day (the months closed before it), so
the line moves when a month closes, as a real tenant's would. History points carry the score
and its explanation only: no recommendations and no alerts are issued for the past.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from gateway.models import Tenant
from insights.financials import load_periods
from insights.metrics import compute_metrics
from insights.models import Insight, InsightSchedule
from insights.scheduling import insight_instant, next_run_at
from insights.scoring import HealthScore, explain_change, score_health


def seed_history(tenant: Tenant, today: date, days: int = 90) -> int:
    """Insights for the ``days`` local days before ``today`` that have none; returns how many."""
    periods = load_periods(tenant)
    existing = set(
        Insight.objects.filter(tenant=tenant, local_date__lt=today).values_list(
            "local_date", flat=True
        )
    )
    scores: dict[date, HealthScore] = {}  # by the first month not yet closed
    rows, previous = [], None
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        cutoff = day.replace(day=1)
        if cutoff not in scores:
            known = [p for p in periods if p.month < cutoff]
            scores[cutoff] = score_health(compute_metrics(known).values)
        health = scores[cutoff]
        if day not in existing:
            rows.append(
                Insight(
                    tenant=tenant,
                    local_date=day,
                    score=health.overall,
                    band=health.band or "",
                    health=health.to_dict(),
                    change=explain_change(health, previous).to_dict(),
                    has_data=health.overall is not None,
                    generated_at=insight_instant(day, tenant.insight_hour, tenant.timezone),
                )
            )
        previous = health
    Insight.objects.bulk_create(rows, ignore_conflicts=True)
    yesterday = today - timedelta(days=1)
    schedule = InsightSchedule.objects.filter(tenant=tenant).first()
    if schedule and (schedule.last_local_date is None or schedule.last_local_date < yesterday):
        schedule.last_local_date = yesterday
        schedule.next_run_at = next_run_at(
            timezone.now(), tenant.timezone, tenant.insight_hour, yesterday
        )
        schedule.save(update_fields=["last_local_date", "next_run_at"])
    return len(rows)
