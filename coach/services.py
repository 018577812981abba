"""State changes of recommendations: issuing them and moving them through their statuses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from coach.catalog.base import Candidate
from coach.catalog.base import Priority as CatalogPriority
from coach.engine import IssuedBefore
from coach.models import TRANSITIONS, Recommendation, Status
from gateway.errors import FieldError
from gateway.models import Tenant


class TransitionError(FieldError):
    """A status change the recommendation's current status does not allow."""


def recent_history(tenant: Tenant, *, today: date, days: int) -> list[IssuedBefore]:
    """What was issued to the tenant in the last ``days`` days and today, for the cooldown."""
    rows = Recommendation.objects.filter(
        tenant=tenant, issued_on__gte=today - timedelta(days=days), issued_on__lte=today
    ).values_list("template_key", "priority", "issued_on")
    return [IssuedBefore(key, CatalogPriority(priority), day) for key, priority, day in rows]


def build_recommendations(
    tenant: Tenant, candidates: Sequence[Candidate], *, issued_on: date
) -> list[Recommendation]:
    """Unsaved recommendations for ranked candidates (the caller saves them in bulk)."""
    return [
        Recommendation(
            tenant=tenant,
            template_key=c.template_key,
            category=c.category,
            priority=c.priority.value,
            score=c.score,
            title=c.title,
            body=c.body,
            figures=c.figures,
            series=c.series,
            cash_flow=c.cash_flow,
            key_metrics=c.key_metrics,
            actions=c.actions,
            questions=c.questions,
            currency=tenant.currency,
            issued_on=issued_on,
        )
        for c in candidates
    ]


def issue_recommendations(
    tenant: Tenant, candidates: Sequence[Candidate], *, issued_on: date
) -> list[Recommendation]:
    """Store ranked candidates as the tenant's recommendations for ``issued_on``."""
    return Recommendation.objects.bulk_create(
        build_recommendations(tenant, candidates, issued_on=issued_on)
    )


_STAMPS = {Status.SEEN: "seen_at", Status.ACTED: "acted_at", Status.DISMISSED: "dismissed_at"}


def change_status(
    recommendation: Recommendation, status: str, *, user: AbstractBaseUser | None
) -> Recommendation:
    """Move to ``status`` if the current status allows it; stamps when it happened."""
    if status == recommendation.status:
        return recommendation
    if status not in TRANSITIONS.get(recommendation.status, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(recommendation.status, ()))) or "none"
        raise TransitionError(
            "status", f"cannot go from {recommendation.status} to {status} (allowed: {allowed})"
        )
    recommendation.status = status
    fields = ["status", "status_changed_by"]
    stamp = _STAMPS.get(Status(status))
    if stamp:
        setattr(recommendation, stamp, timezone.now())
        fields.append(stamp)
    recommendation.status_changed_by = user  # type: ignore[assignment]
    recommendation.save(update_fields=fields)
    return recommendation
