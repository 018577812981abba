"""A tenant's books, month by month."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from coach.vocabulary import Stage
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


class InsightSchedule(models.Model):
    """When a tenant's next insight is due, as a UTC instant.

    The dispatcher reads only the rows that are due (an index on ``next_run_at``), so its cost
    follows the number of tenants due, not the number of tenants. A dispatched row is leased:
    ``next_run_at`` moves a few minutes ahead, and only a written insight moves it to the next
    local day, so work that was lost (a dead worker, a lost message) is dispatched again.
    """

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    next_run_at = models.DateTimeField(db_index=True)
    last_local_date = models.DateField(null=True, blank=True, help_text="Date of the last insight.")
    dispatched_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.tenant_id} due {self.next_run_at:%Y-%m-%d %H:%M}Z"


class Insight(models.Model):
    """A tenant's daily insight: at most one per tenant and local date, enforced here."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="insights")
    local_date = models.DateField()
    score = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=16, blank=True, default="")
    # Where the business is in its life, as the day's books showed it (coach.stage, the same
    # reading that framed the day's advice); blank without books, and on insights written before
    # it was stored (the API says null).
    stage = models.CharField(
        max_length=16,
        choices=Stage.choices,
        blank=True,
        default="",
        help_text="The business's stage from its books: what the day's advice was framed by.",
    )
    health = models.JSONField(default=dict, help_text="Components, inputs and explanations.")
    change = models.JSONField(default=dict, help_text="What changed since the previous insight.")
    as_of = models.DateField(null=True, blank=True, help_text="Month of the latest books used.")
    has_data = models.BooleanField(default=True)
    forecast = models.JSONField(
        null=True,
        blank=True,
        help_text="The stored forecast it read: books version, cash-zero and buffer-breach dates.",
    )
    recommendations = models.ManyToManyField("coach.Recommendation", blank=True, related_name="+")
    generated_at = models.DateTimeField()
    duration_ms = models.FloatField(default=0.0)
    task_id = models.CharField(max_length=64, blank=True, default="")
    regenerated_at = models.DateTimeField(null=True, blank=True)
    regenerated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    regeneration_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["tenant", "-local_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "local_date"], name="insight_one_per_local_date"
            )
        ]
        indexes = [models.Index(fields=["generated_at"], name="insight_generated_idx")]

    def __str__(self) -> str:
        return f"{self.tenant} {self.local_date}"


class InsightFailure(models.Model):
    """A tenant whose insight could not be computed: recorded and visible, not the batch's fault."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    error = models.TextField()
    traceback = models.TextField(blank=True, default="")
    task_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.tenant} {self.local_date}: {self.error[:60]}"


# The cash forecast (insights/forecast/); defined there, registered here.
from insights.forecast.models import Forecast, ForecastAlert, ForecastScenario  # noqa: E402, F401

# Imports, bank accounts and transactions (insights/imports/); defined there, registered here.
from insights.imports.models import (  # noqa: E402, F401
    BankAccount,
    BankTransaction,
    DataImport,
    MovementAlert,
    NormalMovement,
    SeenAgain,
    StatementBalance,
)
