from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from coach.vocabulary import Band, band_description
from insights.daily import regenerate
from insights.models import FinancialPeriod, Insight, InsightFailure, InsightSchedule


@admin.register(FinancialPeriod)
class FinancialPeriodAdmin(admin.ModelAdmin):
    list_display = ["tenant", "month", "revenue", "net_income", "cash_balance", "updated_at"]
    list_filter = ["tenant", "month"]
    search_fields = ["tenant__name"]
    date_hierarchy = "month"
    list_select_related = ["tenant"]
    ordering = ["tenant__name", "-month"]


class ScoreBandFilter(admin.SimpleListFilter):
    title = "score band"
    parameter_name = "band"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [*((band.value, band_description(band)) for band in Band), ("none", "no data")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Insight]) -> QuerySet[Insight]:
        if self.value() == "none":
            return queryset.filter(score__isnull=True)
        if self.value():
            return queryset.filter(band=self.value())
        return queryset


@admin.register(Insight)
class InsightAdmin(admin.ModelAdmin):
    list_display = [
        "tenant",
        "local_date",
        "score",
        "band",
        "has_data",
        "generated_at",
        "duration_ms",
        "regeneration_count",
    ]
    list_filter = [ScoreBandFilter, "local_date", "has_data", "tenant"]
    search_fields = ["tenant__name", "tenant__id"]
    date_hierarchy = "local_date"
    list_select_related = ["tenant"]
    readonly_fields = [
        "tenant",
        "local_date",
        "score",
        "band",
        "health",
        "change",
        "as_of",
        "has_data",
        "recommendations",
        "generated_at",
        "duration_ms",
        "task_id",
        "regenerated_at",
        "regenerated_by",
        "regeneration_count",
    ]
    actions = ["regenerate_selected"]

    @admin.action(description="Regenerate the selected insights (recorded)")
    def regenerate_selected(self, request: HttpRequest, queryset: QuerySet[Insight]) -> None:
        count = failed = 0
        for insight in queryset.select_related("tenant"):
            if regenerate(insight.tenant, insight.local_date, user=request.user) is None:
                failed += 1
            else:
                count += 1
        self.message_user(request, f"Regenerated {count} insight(s).", messages.SUCCESS)
        if failed:
            self.message_user(
                request, f"{failed} could not be computed: see Insight failures.", messages.ERROR
            )


@admin.register(InsightFailure)
class InsightFailureAdmin(admin.ModelAdmin):
    list_display = ["tenant", "local_date", "short_error", "task_id", "created_at"]
    list_filter = ["local_date", "tenant"]
    search_fields = ["tenant__name", "error", "task_id"]
    readonly_fields = ["tenant", "local_date", "error", "traceback", "task_id", "created_at"]
    list_select_related = ["tenant"]

    @admin.display(description="error")
    def short_error(self, failure: InsightFailure) -> str:
        return failure.error[:100]


@admin.register(InsightSchedule)
class InsightScheduleAdmin(admin.ModelAdmin):
    list_display = ["tenant", "next_run_at", "last_local_date", "dispatched_at", "task_id"]
    search_fields = ["tenant__name"]
    list_select_related = ["tenant"]
    ordering = ["next_run_at"]
