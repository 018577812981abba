"""Recommendations: building them from candidates, and moving them through their statuses.

Only the insight pipeline (``insights.pipeline.write``) stores what is built here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from coach.catalog.base import Candidate
from coach.enrichment import enrichment_lease
from coach.models import TRANSITIONS, Evidence, Recommendation, Status
from coach.vocabulary import Priority
from gateway.errors import FieldError
from gateway.models import Tenant


class TransitionError(FieldError):
    """A status change the recommendation's current status does not allow."""


def build_evidence(tenant: Tenant, candidates: Sequence[Candidate], *, day: date) -> Evidence:
    """One unsaved evidence row for a day's candidates: the union of the series they cite and the
    cash-flow table they share (every candidate of a day is computed from the same books)."""
    series: dict[str, list[list[Any]]] = {}
    for candidate in candidates:
        series.update(candidate.series)
    cash_flow = candidates[0].cash_flow if candidates else []
    return Evidence(tenant=tenant, local_date=day, series=series, cash_flow=cash_flow)


def build_recommendations(
    tenant: Tenant, candidates: Sequence[Candidate], *, issued_on: date, evidence: Evidence | None
) -> list[Recommendation]:
    """Unsaved recommendations for ranked candidates (the caller saves them in bulk), with their
    enrichment owed when a model is configured (a lease, stored in the caller's transaction)."""
    owed = enrichment_lease()
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
            evidence=evidence,
            evidence_metrics=list(c.series),
            key_metrics=c.key_metrics,
            actions=c.actions,
            questions=c.questions,
            currency=tenant.currency,
            issued_on=issued_on,
            enrichment_due_at=owed,
        )
        for c in candidates
    ]


def ranked(recommendations: Iterable[Recommendation]) -> list[Recommendation]:
    """Most urgent first, then the higher score, as the engine ranked them."""
    return sorted(recommendations, key=lambda r: (-Priority(r.priority).rank, -r.score, r.pk))


# How long a snooze lasts, by the name the API takes.
SNOOZE_DAYS = {"week": 7, "month": 30}


def snooze(recommendation: Recommendation, period: str | None) -> Recommendation:
    """Hide it, and keep its template from being issued again, for ``period`` ("week" or
    "month") from the tenant's today; ``None`` wakes it now."""
    if period is None:
        recommendation.snoozed_until = None
    else:
        today = recommendation.tenant.local_today()
        recommendation.snoozed_until = today + timedelta(days=SNOOZE_DAYS[period])
    recommendation.save(update_fields=["snoozed_until"])
    return recommendation


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
