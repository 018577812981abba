"""A tenant's books, month by month."""

from __future__ import annotations

from django.db import models

from gateway.models import Tenant


def _money(help_text: str) -> models.DecimalField:
    # Null means unknown, which is not zero: a metric that needs an unknown value is not computed.
    return models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, help_text=help_text
    )


class FinancialPeriod(models.Model):
    """One calendar month of a tenant's books, in the tenant's currency."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="financial_periods")
    month = models.DateField(help_text="First day of the month.")
    revenue = _money("Revenue recognised in the month.")
    cogs = _money("Cost of goods sold.")
    operating_expenses = _money("Operating expenses, payroll included.")
    payroll = _money("Payroll, the part of operating expenses paid to staff.")
    net_income = _money("Net income (may be negative).")
    cash_balance = _money("Cash at the end of the month (negative when overdrawn).")
    accounts_receivable = _money("Owed by customers at the end of the month.")
    accounts_payable = _money("Owed to suppliers at the end of the month.")
    inventory_value = _money("Inventory at cost at the end of the month.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "month"], name="financial_period_one_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="financial_period_month_is_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant} {self.month:%Y-%m}"
