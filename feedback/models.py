"""Feedback on recommendations, and the flags it raises for people to look at."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from coach.models import Recommendation
from gateway.models import Tenant


class Reason(models.TextChoices):
    NOT_RELEVANT = "not_relevant", "Not relevant"
    WRONG_DATA = "wrong_data", "Wrong data"
    ALREADY_DONE = "already_done", "Already done"
    NOT_PRIORITY = "not_priority", "Not a priority"
    UNCLEAR = "unclear", "Unclear"
    OTHER = "other", "Other"


class Feedback(models.Model):
    """One per user and recommendation; sending again updates it. The template and category
    are copied so that learning reads one table."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="feedback")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="feedback"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coach_feedback"
    )
    template_key = models.CharField(max_length=64)
    category = models.CharField(max_length=16)
    helpful = models.BooleanField()
    reason = models.CharField(max_length=16, choices=Reason.choices, blank=True, default="")
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "user"], name="feedback_one_per_user_recommendation"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "template_key"], name="feedback_tenant_template"),
            models.Index(fields=["template_key", "updated_at"], name="feedback_template_time"),
        ]

    def __str__(self) -> str:
        verdict = "helpful" if self.helpful else f"not helpful ({self.reason})"
        return f"{self.template_key}: {verdict}"


class DataFlag(models.Model):
    """A user said a recommendation stood on wrong data: an admin should check the books."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="data_flags")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="data_flags"
    )
    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, related_name="data_flag")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resolved_at", "-created_at"]

    def __str__(self) -> str:
        return f"{self.tenant}: wrong data on {self.recommendation_id}"
