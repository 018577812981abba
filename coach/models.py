"""Recommendations issued to a tenant, with the evidence they were computed from."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from coach.vocabulary import Category, Priority  # one definition, shared with the catalog
from gateway.models import Tenant


class Status(models.TextChoices):
    NEW = "new", "New"
    SEEN = "seen", "Seen"
    ACTED = "acted", "Acted on"
    DISMISSED = "dismissed", "Dismissed"
    # Replaced by a newer insight of the same day (the books changed, or it was regenerated):
    # kept with its feedback, chat and plans, but no longer one of the day's cards.
    WITHDRAWN = "withdrawn", "Withdrawn"


# The status changes a user may make. Acting is final; a dismissal can be undone (back to seen).
# Withdrawing is Coach's own move, never a user's, and nothing comes back from it.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.SEEN, Status.ACTED, Status.DISMISSED}),
    Status.SEEN: frozenset({Status.ACTED, Status.DISMISSED}),
    Status.DISMISSED: frozenset({Status.SEEN}),
    Status.ACTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}


class EnrichmentStatus(models.TextChoices):
    NONE = "", "Not enriched"
    ENRICHED = "enriched", "Enriched"
    DISCARDED = "discarded", "Discarded (changed a number)"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class Evidence(models.Model):
    """The books behind one insight's recommendations: the monthly series of the metrics they
    cite and the cash-flow table, stored once per written insight instead of once per
    recommendation (it was most of the daily write). Never changed once written, so a
    recommendation that is replaced keeps reading the figures it was computed from."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField(help_text="The tenant's local date of the insight.")
    series = models.JSONField(default=dict, help_text="{metric: [[YYYY-MM-DD, value], ...]}")
    cash_flow = models.JSONField(default=list, help_text="One row per month, ascending.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["tenant", "-local_date"], name="evidence_tenant_date")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.local_date}"


class Recommendation(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="recommendations")
    template_key = models.CharField(max_length=64)
    category = models.CharField(max_length=16, choices=Category.choices)
    priority = models.CharField(max_length=8, choices=Priority.choices)
    score = models.FloatField(help_text="Ranking score, 0-100, after feedback adjustments.")
    title = models.CharField(max_length=300)
    body = models.TextField()
    # The evidence: the figures the template used and the four metrics the details view shows as
    # cards here; the monthly series (of ``evidence_metrics``) and the cash-flow table in the
    # insight's shared ``evidence``.
    figures = models.JSONField(default=dict)
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="recommendations"
    )
    evidence_metrics = models.JSONField(
        default=list, help_text="The metrics of the evidence's series this recommendation cites."
    )
    key_metrics = models.JSONField(default=list)
    actions = models.JSONField(
        default=list, help_text="Suggested tasks: [{title, days_from_start}]."
    )
    questions = models.JSONField(default=list, help_text="Quick questions a user may ask about it.")
    # What doing it is worth, from the tenant's forecast re-run on the changed drivers (computed
    # in insights, which coach never imports; stored here as plain data). Null: not computable.
    impact = models.JSONField(
        null=True,
        blank=True,
        help_text="{runway_days_delta, cash_13w_delta, score_delta, explanation, changes, figures}",
    )
    currency = models.CharField(max_length=3)
    issued_on = models.DateField(help_text="The tenant's local date it was issued for.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Snoozed by a user: hidden from the cards, and its template not issued again, until this
    # local date (the day it shows again). NULL: not snoozed.
    snoozed_until = models.DateField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The model's rewrite of title and body, beside the template's words (which stay the record).
    # Stored only when every number in it matches the evidence (see coach/enrichment.py).
    # NULL means "no rewrite" (the contract the daily insight relies on), never an empty one.
    enriched_title = models.CharField(max_length=300, null=True, blank=True)  # noqa: DJ001
    enriched_body = models.TextField(null=True, blank=True)  # noqa: DJ001
    enrichment_status = models.CharField(
        max_length=16, choices=EnrichmentStatus.choices, default=EnrichmentStatus.NONE
    )
    enrichment_note = models.CharField(max_length=300, blank=True, default="")
    enrichment_model = models.CharField(max_length=100, blank=True, default="")
    enriched_at = models.DateTimeField(null=True, blank=True)
    # Enrichment owed, as a lease: written with the recommendation (in the insight's transaction)
    # when a model is configured, moved ahead while a run works on it, cleared when it is done.
    # A lease that runs out (the message was lost: broker down at commit, a Redis restart, a
    # killed worker) is published again by the sweep (coach.recovery). NULL: nothing owed.
    enrichment_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-score", "id"]
        indexes = [
            models.Index(fields=["tenant", "-issued_on"], name="rec_tenant_issued"),
            models.Index(
                fields=["tenant", "template_key", "-issued_on"], name="rec_tenant_template"
            ),
            models.Index(
                fields=["enrichment_due_at"],
                condition=models.Q(enrichment_due_at__isnull=False),
                name="rec_enrichment_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant}: {self.template_key} ({self.priority}) on {self.issued_on}"

    @property
    def series(self) -> dict[str, list[list[object]]]:
        """The monthly series this recommendation cites, read from the shared evidence."""
        stored = self.evidence.series if self.evidence else {}
        return {key: stored[key] for key in self.evidence_metrics if key in stored}

    @property
    def cash_flow(self) -> list[dict[str, object]]:
        return list(self.evidence.cash_flow) if self.evidence else []

    @property
    def display_title(self) -> str:
        return self.enriched_title or self.title

    @property
    def display_body(self) -> str:
        return self.enriched_body or self.body


class TemplateFlag(models.Model):
    """What users said about a template's words: "unclear" marks it for rewriting by a person,
    and makes enrichment rewrite its recommendations even when enrichment is otherwise limited."""

    template_key = models.CharField(max_length=64, unique=True)
    needs_rewrite = models.BooleanField(default=False)
    unclear_count = models.PositiveIntegerField(default=0)
    last_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-unclear_count", "template_key"]

    def __str__(self) -> str:
        return f"{self.template_key} ({self.unclear_count} unclear)"


# --- Action plans --------------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ActionPlan(models.Model):
    """What a tenant decided to do, built step by step in the wizard (draft), then confirmed."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="action_plans")
    recommendation = models.ForeignKey(
        Recommendation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_plans",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Did it work? The figure the plan should move (its recommendation's evidence metric), its
    # value when the plan started, the value each later insight saw, and the outcome reported
    # once, when the plan is done or its due date has passed (coach/outcomes.py).
    metric = models.CharField(max_length=64, blank=True, default="")
    metric_start = models.FloatField(null=True, blank=True)
    readings = models.JSONField(default=list, help_text="[[YYYY-MM-DD, value], ...]")
    outcome = models.JSONField(null=True, blank=True)
    outcome_reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "status"], name="plan_tenant_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(due_date__gte=models.F("start_date")),
                name="plan_due_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"


class ActionTask(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField()
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    # Who does it: a member of the plan's tenant (checked by coach.plans); a removed user
    # leaves the task unassigned rather than taking it with them.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.title


# --- "Tell me more" ------------------------------------------------------------------------------


class Conversation(models.Model):
    """One per user and recommendation: the user's questions and Coach's answers."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="conversations")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="conversations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coach_conversations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "user"], name="conversation_per_user_recommendation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.recommendation_id}"


class MessageRole(models.TextChoices):
    USER = "user", "User"
    ASSISTANT = "assistant", "Assistant"


class AnswerSource(models.TextChoices):
    USER = "user", "User"
    LLM = "llm", "AI model"
    FALLBACK = "fallback", "Template (not AI)"


class AnswerStatus(models.TextChoices):
    """Whether an answer is stored yet (``pending`` ones arrive as ``chat.done``)."""

    PENDING = "pending", "Being produced"
    DONE = "done", "Stored"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=16, choices=MessageRole.choices)
    content = models.TextField()
    source = models.CharField(max_length=16, choices=AnswerSource.choices)
    # Why the fallback spoke: not_configured, budget_exceeded, timeout, rate_limited, error.
    fallback_reason = models.CharField(max_length=32, blank=True, default="")
    # An answer the ``llm`` queue is producing is ``pending`` until it is stored; questions and
    # stored answers are ``done``.
    status = models.CharField(max_length=8, choices=AnswerStatus.choices, default=AnswerStatus.DONE)
    # A pending answer's lease: a run moves it ahead when it starts; one that runs out (the task
    # was lost or its worker died) is published again by the sweep (coach.recovery).
    lease_until = models.DateTimeField(null=True, blank=True)
    model = models.CharField(max_length=100, blank=True, default="")
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["lease_until"],
                condition=models.Q(status="pending"),
                name="message_pending_lease",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:40]}"


# --- LLM usage -----------------------------------------------------------------------------------


class LLMUsage(models.Model):
    """Tokens a tenant spent on the model in one month of its own calendar, per purpose."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="llm_usage")
    month = models.DateField(help_text="First day of the tenant's local month.")
    purpose = models.CharField(max_length=16)  # chat, enrichment
    requests = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveBigIntegerField(default=0)
    completion_tokens = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "tenant_id", "purpose"]
        verbose_name = "LLM usage"
        verbose_name_plural = "LLM usage"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "month", "purpose"], name="llm_usage_tenant_month_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.month:%Y-%m} {self.purpose}"

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens
