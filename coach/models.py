"""Recommendations issued to a tenant, with the evidence they were computed from."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gateway.models import Tenant


class Priority(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Category(models.TextChoices):
    CASH_FLOW = "cash_flow", "Cash flow"
    INVENTORY = "inventory", "Inventory"
    REVENUE = "revenue", "Revenue"
    PROFITABILITY = "profitability", "Profitability"
    OPERATIONS = "operations", "Operations"
    GROWTH = "growth", "Growth"


class Status(models.TextChoices):
    NEW = "new", "New"
    SEEN = "seen", "Seen"
    ACTED = "acted", "Acted on"
    DISMISSED = "dismissed", "Dismissed"


# The status changes a user may make. Acting is final; a dismissal can be undone (back to seen).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.SEEN, Status.ACTED, Status.DISMISSED}),
    Status.SEEN: frozenset({Status.ACTED, Status.DISMISSED}),
    Status.DISMISSED: frozenset({Status.SEEN}),
    Status.ACTED: frozenset(),
}


class Recommendation(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="recommendations")
    template_key = models.CharField(max_length=64)
    category = models.CharField(max_length=16, choices=Category.choices)
    priority = models.CharField(max_length=8, choices=Priority.choices)
    score = models.FloatField(help_text="Ranking score, 0-100, after feedback adjustments.")
    title = models.CharField(max_length=300)
    body = models.TextField()
    # The evidence: the figures the template used, the monthly series behind them, the cash-flow
    # table, and the four metrics the details view shows as cards.
    figures = models.JSONField(default=dict)
    series = models.JSONField(default=dict)
    cash_flow = models.JSONField(default=list)
    key_metrics = models.JSONField(default=list)
    actions = models.JSONField(
        default=list, help_text="Suggested tasks: [{title, days_from_start}]."
    )
    questions = models.JSONField(default=list, help_text="Quick questions a user may ask about it.")
    currency = models.CharField(max_length=3)
    issued_on = models.DateField(help_text="The tenant's local date it was issued for.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-score", "id"]
        indexes = [
            models.Index(fields=["tenant", "-issued_on"], name="rec_tenant_issued"),
            models.Index(
                fields=["tenant", "template_key", "-issued_on"], name="rec_tenant_template"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant}: {self.template_key} ({self.priority}) on {self.issued_on}"
