from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from feedback.models import DataFlag, Feedback
from feedback.services import summarize


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["template_key", "tenant", "user", "helpful", "reason", "updated_at"]
    list_filter = ["helpful", "reason", "category", "template_key", "tenant"]
    search_fields = ["template_key", "comment", "tenant__name", "user__username"]
    list_select_related = ["tenant", "user"]
    readonly_fields = [
        "tenant",
        "recommendation",
        "user",
        "template_key",
        "category",
        "helpful",
        "reason",
        "comment",
        "created_at",
        "updated_at",
    ]
    change_list_template = "admin/feedback/feedback/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        summary = path(
            "summary/",
            self.admin_site.admin_view(self.summary_view),
            name="feedback_feedback_summary",
        )
        return [summary, *super().get_urls()]

    def summary_view(self, request: HttpRequest) -> HttpResponse:
        """Helpful rate per template and category, reasons, recent comments (all tenants, or
        ``?tenant=<id>``)."""
        queryset = Feedback.objects.all()
        tenant = request.GET.get("tenant")
        if tenant:
            queryset = queryset.filter(tenant_id=tenant)
        context = {
            **self.admin_site.each_context(request),
            "title": "Feedback summary",
            "opts": self.model._meta,
            "summary": summarize(queryset, recent=25),
        }
        return TemplateResponse(request, "admin/feedback/summary.html", context)


@admin.register(DataFlag)
class DataFlagAdmin(admin.ModelAdmin):
    list_display = ["tenant", "recommendation", "raised_by", "created_at", "resolved_at"]
    list_filter = ["resolved_at", "tenant"]
    search_fields = ["tenant__name", "comment"]
    list_select_related = ["tenant", "recommendation", "raised_by"]
    readonly_fields = ["tenant", "recommendation", "feedback", "raised_by", "comment", "created_at"]
