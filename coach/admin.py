from django.contrib import admin
from django.db.models import QuerySet

from coach.models import (
    ActionPlan,
    ActionTask,
    Conversation,
    LLMUsage,
    Message,
    Recommendation,
    TemplateFlag,
)


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "tenant",
        "category",
        "priority",
        "score",
        "status",
        "enrichment_status",
        "issued_on",
    ]
    list_filter = ["category", "priority", "status", "enrichment_status", "issued_on", "tenant"]
    search_fields = ["title", "template_key", "tenant__name"]
    date_hierarchy = "issued_on"
    list_select_related = ["tenant"]
    readonly_fields = [
        "tenant",
        "template_key",
        "category",
        "priority",
        "score",
        "figures",
        "evidence",
        "evidence_metrics",
        "series",
        "cash_flow",
        "key_metrics",
        "actions",
        "questions",
        "currency",
        "issued_on",
        "created_at",
        "seen_at",
        "acted_at",
        "dismissed_at",
        "withdrawn_at",
        "status_changed_by",
        "enriched_title",
        "enriched_body",
        "enrichment_status",
        "enrichment_note",
        "enrichment_model",
        "enriched_at",
    ]


class ActionTaskInline(admin.TabularInline):
    model = ActionTask
    extra = 0
    fields = ["position", "title", "due_date", "done", "completed_by", "completed_at"]
    readonly_fields = ["completed_by", "completed_at"]


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "tenant", "status", "priority", "start_date", "due_date", "owner"]
    list_filter = ["status", "priority", "tenant"]
    search_fields = ["title", "tenant__name"]
    list_select_related = ["tenant", "owner"]
    raw_id_fields = ["recommendation", "owner", "created_by"]
    inlines = [ActionTaskInline]


_MESSAGE_COLUMNS = ("created_at", "role", "source", "fallback_reason", "model", "content")


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = _MESSAGE_COLUMNS
    readonly_fields = _MESSAGE_COLUMNS


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["recommendation", "tenant", "user", "updated_at"]
    list_filter = ["tenant"]
    list_select_related = ["tenant", "user", "recommendation"]
    raw_id_fields = ["recommendation", "user"]
    inlines = [MessageInline]


@admin.register(LLMUsage)
class LLMUsageAdmin(admin.ModelAdmin):
    """Tokens each tenant spent per month and purpose, against the monthly budget."""

    list_display = [
        "tenant",
        "month",
        "purpose",
        "requests",
        "failures",
        "prompt_tokens",
        "completion_tokens",
        "total",
    ]
    list_filter = ["month", "purpose", "tenant"]
    search_fields = ["tenant__name"]
    list_select_related = ["tenant"]
    readonly_fields = [
        "tenant",
        "month",
        "purpose",
        "requests",
        "failures",
        "prompt_tokens",
        "completion_tokens",
        "updated_at",
    ]

    @admin.display(description="total tokens")
    def total(self, usage: LLMUsage) -> int:
        return usage.total_tokens

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(TemplateFlag)
class TemplateFlagAdmin(admin.ModelAdmin):
    """Templates users found unclear: rewrite their words, then clear the flag."""

    list_display = ["template_key", "needs_rewrite", "unclear_count", "last_flagged_at"]
    list_filter = ["needs_rewrite"]
    actions = ["mark_rewritten"]

    @admin.action(description="Mark as rewritten")
    def mark_rewritten(self, request: object, queryset: QuerySet[TemplateFlag]) -> None:
        queryset.update(needs_rewrite=False)
