"""Ninety days of insight history for the demo tenants, so the trend chart has a story to show.

Each past day is scored on the books as they stood that day (the months closed before it), so
the line moves when a month closes, as a real tenant's would. History points carry the score
and its explanation only: no recommendations and no alerts are issued for the past. They go
through the insight pipeline's ``plan`` and ``write`` like every other insight.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from gateway.models import Tenant
from insights.financials import load_periods
from insights.models import Insight
from insights.pipeline import Inputs, Mode, plan, write
from insights.services import engine_config


def seed_history(tenant: Tenant, today: date, days: int = 90) -> int:
    """Insights for the ``days`` local days before ``today`` that have none; returns how many."""
    periods = load_periods(tenant)
    existing = set(
        Insight.objects.filter(tenant=tenant, local_date__lt=today).values_list(
            "local_date", flat=True
        )
    )
    now, config = timezone.now(), engine_config()
    plans, previous = [], None
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        known = [p for p in periods if p.month < day.replace(day=1)]
        inputs = Inputs(tenant=tenant, day=day, at=now, periods=known, config=config)
        inputs.previous = previous
        (planned,) = plan([inputs], advise=False)
        previous = planned.health
        if day not in existing:
            plans.append(planned)
    return len(write(plans, Mode.HISTORY).done)
