"""What feedback teaches the engine: score factors from helpfulness, and silenced templates.

Helpfulness is estimated per template over every tenant, shrunk toward the overall rate, and
per tenant, shrunk toward that template estimate: a tenant with little feedback of its own gets
the wider view, one with a lot gets its own. The engine takes the result as plain inputs
(``coach.engine.rank(adjustments=..., silenced=...)``), so it never imports this app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from feedback.models import Feedback, Reason

# Factors stay in this range, so feedback reorders advice but never erases or explodes a score.
MIN_FACTOR, MAX_FACTOR = 0.5, 1.5


@dataclass(frozen=True)
class EngineInputs:
    adjustments: dict[str, float] = field(default_factory=dict)
    silenced: dict[str, date] = field(default_factory=dict)


@dataclass(frozen=True)
class Tally:
    helpful: int
    total: int


def shrunk(helpful: int, total: int, prior: float, strength: float) -> float:
    """The helpful rate with ``strength`` pseudo-votes at ``prior`` (Beta-binomial mean)."""
    if total + strength <= 0:
        return prior
    return (helpful + strength * prior) / (total + strength)


def factor(estimate: float, overall: float, strength: float) -> float:
    """Above the overall rate raises the score, below lowers it, within the bounds."""
    return round(min(MAX_FACTOR, max(MIN_FACTOR, 1.0 + strength * (estimate - overall))), 3)


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("UTC"))


def _local_day(moment: datetime, zone: str) -> date:
    # A corrupt zone must not fail the whole batch this feeds; the tenant fails alone later.
    try:
        return timezone.localtime(moment, ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return moment.astimezone(UTC).date()


def engine_inputs(tenant_ids: Sequence[UUID], today: date) -> dict[UUID, EngineInputs]:
    """The engine's feedback inputs for each tenant, in two queries whatever their number."""
    strength = settings.FEEDBACK_PRIOR_STRENGTH
    push = settings.FEEDBACK_HELPFULNESS_STRENGTH
    lookback = _utc_midnight(today - timedelta(days=settings.FEEDBACK_LOOKBACK_DAYS))
    silence_days = {
        Reason.ALREADY_DONE: settings.FEEDBACK_SILENCE_ALREADY_DONE_DAYS,
        Reason.NOT_RELEVANT: settings.FEEDBACK_SILENCE_NOT_RELEVANT_DAYS,
    }
    np_days = settings.FEEDBACK_NOT_PRIORITY_DAYS
    # A day of slack: "today" is each tenant's local date, the rows are UTC instants.
    oldest = _utc_midnight(today - timedelta(days=max(*silence_days.values(), np_days) + 1))
    oldest = min(oldest, lookback)

    recent = Q(updated_at__gte=lookback)
    overall_rows = (
        Feedback.objects.filter(recent)
        .values("template_key")
        .annotate(total=Count("id"), helpful=Count("id", filter=Q(helpful=True)))
    )
    per_template = {r["template_key"]: Tally(r["helpful"], r["total"]) for r in overall_rows}
    all_total = sum(t.total for t in per_template.values())
    overall = sum(t.helpful for t in per_template.values()) / all_total if all_total else 0.5
    template_rate = {
        key: shrunk(t.helpful, t.total, overall, strength) for key, t in per_template.items()
    }

    tenant_rows = (
        Feedback.objects.filter(tenant_id__in=list(tenant_ids), updated_at__gte=oldest)
        .values("tenant_id", "tenant__timezone", "template_key")
        .annotate(
            total=Count("id", filter=recent),
            helpful=Count("id", filter=recent & Q(helpful=True)),
            already_done=Max("updated_at", filter=Q(reason=Reason.ALREADY_DONE)),
            not_relevant=Max("updated_at", filter=Q(reason=Reason.NOT_RELEVANT)),
            not_priority=Max("updated_at", filter=Q(reason=Reason.NOT_PRIORITY)),
        )
    )
    result: dict[UUID, EngineInputs] = {}
    for tenant_id in tenant_ids:
        result[tenant_id] = EngineInputs(
            adjustments={
                key: f
                for key, rate in template_rate.items()
                if (f := factor(rate, overall, push)) != 1.0
            }
        )
    for row in tenant_rows:
        inputs = result[row["tenant_id"]]
        key, zone = row["template_key"], row["tenant__timezone"]
        prior = template_rate.get(key, overall)
        estimate = shrunk(row["helpful"], row["total"], prior, strength)
        adjusted = factor(estimate, overall, push)
        if row["not_priority"] and _local_day(row["not_priority"], zone) > today - timedelta(
            days=np_days
        ):
            adjusted = round(max(0.0, adjusted * settings.FEEDBACK_NOT_PRIORITY_FACTOR), 3)
        if adjusted != 1.0:
            inputs.adjustments[key] = adjusted
        else:
            inputs.adjustments.pop(key, None)
        for when, days in (
            (row["already_done"], silence_days[Reason.ALREADY_DONE]),
            (row["not_relevant"], silence_days[Reason.NOT_RELEVANT]),
        ):
            if when is None or days <= 0:
                continue
            until = _local_day(when, zone) + timedelta(days=days - 1)
            if until >= today and until > inputs.silenced.get(key, date.min):
                inputs.silenced[key] = until
    return result
