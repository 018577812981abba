"""Recording feedback and what it sets off: a data flag for an admin, a template to rewrite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from coach.models import Recommendation, TemplateFlag
from feedback.models import DataFlag, Feedback, Reason
from gateway.errors import FieldError


class FeedbackError(FieldError):
    """Bad input for this service; answered as a 400 naming the field."""


@dataclass(frozen=True)
class Recorded:
    feedback: Feedback
    created: bool


@transaction.atomic
def record_feedback(
    recommendation: Recommendation,
    user: User,
    *,
    helpful: bool,
    reason: str = "",
    comment: str = "",
) -> Recorded:
    """Create or update the user's feedback on the recommendation (one per user and one
    recommendation); a reason is expected when it did not help."""
    reason = reason or ""
    comment = (comment or "").strip()
    if reason and reason not in Reason.values:
        raise FeedbackError("reason", f"'{reason}' is not one of {', '.join(Reason.values)}")
    if not helpful and not reason:
        raise FeedbackError("reason", "is required when the recommendation was not helpful")
    limit = settings.FEEDBACK_COMMENT_MAX_LENGTH
    if len(comment) > limit:
        raise FeedbackError("comment", f"must be at most {limit} characters")

    previous = (
        Feedback.objects.select_for_update()
        .filter(recommendation=recommendation, user=user)
        .values_list("reason", flat=True)
        .first()
    )
    feedback, created = Feedback.objects.update_or_create(
        recommendation=recommendation,
        user=user,
        defaults={
            "tenant_id": recommendation.tenant_id,
            "template_key": recommendation.template_key,
            "category": recommendation.category,
            "helpful": helpful,
            "reason": reason,
            "comment": comment,
        },
    )
    if reason == Reason.WRONG_DATA:
        DataFlag.objects.update_or_create(
            feedback=feedback,
            defaults={
                "tenant_id": recommendation.tenant_id,
                "recommendation": recommendation,
                "raised_by": user,
                "comment": comment,
                "resolved_at": None,
            },
        )
    if reason == Reason.UNCLEAR and previous != Reason.UNCLEAR:
        _mark_unclear(recommendation.template_key)
    return Recorded(feedback=feedback, created=created)


def _mark_unclear(template_key: str) -> None:
    flag, _ = TemplateFlag.objects.get_or_create(template_key=template_key)
    TemplateFlag.objects.filter(pk=flag.pk).update(
        needs_rewrite=True, unclear_count=F("unclear_count") + 1, last_flagged_at=timezone.now()
    )


def _rate(helpful: int, total: int) -> float | None:
    return round(helpful / total, 3) if total else None


def summarize(feedback: QuerySet[Feedback], *, recent: int = 10) -> dict[str, Any]:
    """Helpful rate per template and per category, reasons, recent comments."""
    helped = Q(helpful=True)
    by_template = [
        {**row, "helpful_rate": _rate(row["helpful"], row["total"])}
        for row in feedback.values("template_key", "category")
        .annotate(total=Count("id"), helpful=Count("id", filter=helped))
        .order_by("-total", "template_key")
    ]
    category_rows = list(
        feedback.values("category")
        .annotate(total=Count("id"), helpful=Count("id", filter=helped))
        .order_by("-total", "category")
    )
    by_category = [
        {**row, "helpful_rate": _rate(row["helpful"], row["total"])} for row in category_rows
    ]
    reasons = {
        row["reason"]: row["n"]
        for row in feedback.exclude(reason="").values("reason").annotate(n=Count("id"))
    }
    comments = [
        {
            "template_key": f.template_key,
            "helpful": f.helpful,
            "reason": f.reason,
            "comment": f.comment,
            "user": f.user.get_username(),
            "updated_at": f.updated_at,
        }
        for f in feedback.exclude(comment="")
        .select_related("user")
        .order_by("-updated_at")[:recent]
    ]
    total = sum(row["total"] for row in category_rows)
    helpful = sum(row["helpful"] for row in category_rows)
    return {
        "total": total,
        "helpful": helpful,
        "helpful_rate": _rate(helpful, total),
        "by_template": by_template,
        "by_category": by_category,
        "reasons": {reason: reasons.get(reason, 0) for reason in Reason.values},
        "recent_comments": comments,
    }
