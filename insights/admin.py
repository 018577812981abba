from django.contrib import admin

from insights.models import FinancialPeriod


@admin.register(FinancialPeriod)
class FinancialPeriodAdmin(admin.ModelAdmin):
    list_display = ["tenant", "month", "revenue", "net_income", "cash_balance", "updated_at"]
    list_filter = ["tenant", "month"]
    search_fields = ["tenant__name"]
    date_hierarchy = "month"
    list_select_related = ["tenant"]
    ordering = ["tenant__name", "-month"]
