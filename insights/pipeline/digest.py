"""The morning email's content, composed from the day's plans as plain data for notifications.

``notifications`` decides who gets it, when and how (preferences, quiet hours, delivery); this
module only says what it says: the score and its change, the top recommendations with their
figures in the tenant's currency and their expected impact, and the forecast's breach date when
the plan has one (within the tenant's warning window).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from coach.serializers import metric_card
from insights.models import Insight
from insights.pipeline.plan import InsightPlan
from notifications.channels import Digest

# Cards in the email: the top of the ranking, as on the dashboard.
TOP_CARDS = 3


def _cards(p: InsightPlan) -> list[dict[str, Any]]:
    cards = []
    for c in p.candidates[:TOP_CARDS]:
        keys = c.key_metrics or [k for k, v in c.figures.items() if v is not None][:3]
        figures = [metric_card(k, c.figures.get(k), p.tenant.currency) for k in keys[:4]]
        cards.append(
            {
                "title": c.title,
                "body": c.body,
                "priority": c.priority.value,
                "category": c.category,
                "figures": [{"label": f["label"], "value": f["formatted"]} for f in figures],
                # the forecast's expected impact of acting on it, in a sentence (when known)
                "impact": (p.impacts.get(c.template_key) or {}).get("explanation"),
            }
        )
    return cards


def digests_for(written: Sequence[InsightPlan], now: datetime) -> list[Digest]:
    """One digest per insight written for its tenant's current local day (a replay of a past
    day sends no morning email)."""
    today = [p for p in written if p.day >= now.astimezone(ZoneInfo(p.tenant.timezone)).date()]
    if not today:
        return []
    ids = {
        (tenant_id, day): pk
        for pk, tenant_id, day in Insight.objects.filter(
            tenant_id__in={p.tenant.pk for p in today}, local_date__in={p.day for p in today}
        ).values_list("pk", "tenant_id", "local_date")
    }
    digests = []
    for p in today:
        health = p.health
        breach: date | None = p.breach["on"] if p.breach else None
        digests.append(
            Digest(
                tenant=p.tenant,
                local_date=p.day,
                insight_id=ids[(p.tenant.pk, p.day)],
                score=health.overall if health else None,
                change=(p.change or {}).get("delta"),
                band=str(health.band or "") if health else "",
                cards=_cards(p),
                forecast_breach_date=breach,
            )
        )
    return digests
