from django.contrib import admin

from coach.models import Recommendation


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["title", "tenant", "category", "priority", "score", "status", "issued_on"]
    list_filter = ["category", "priority", "status", "issued_on", "tenant"]
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
        "status_changed_by",
    ]
