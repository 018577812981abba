"""What the forecast stores: one forecast per tenant and books version, the breach alerts that
went out, and the scenarios people saved. (Imported by ``insights.models``: the app's models.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gateway.models import Tenant


class Forecast(models.Model):
    """A tenant's cash forecast for one version of its books (and its buffer setting).

    Computed on the worker pool when the books change (``insights.forecast.store``), read by the
    daily insight and the API; a forecast is never recomputed for a version it already has."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    books_version = models.CharField(
        max_length=64, help_text="The version of the books and the buffer it was computed on."
    )
    as_of = models.DateField(help_text="Last day of the last month of books.")
    method = models.TextField(help_text="The method used, and why.")
    buffer = models.DecimalField(max_digits=18, decimal_places=2)
    body = models.JSONField(help_text="The forecast as GET …/forecast/ answers it.")
    cash_zero = models.JSONField(null=True, blank=True)
    buffer_breach = models.JSONField(null=True, blank=True)
    runway_days = models.IntegerField(
        null=True, blank=True, help_text="Days to the median date cash runs out (null: beyond)."
    )
    cash_13w = models.DecimalField(max_digits=18, decimal_places=2)
    impacts = models.JSONField(
        default=dict, help_text="{template key: impact}: what each recommendation is worth."
    )
    computed_at = models.DateTimeField(auto_now_add=True)
    duration_ms = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "books_version"], name="forecast_one_per_books_version"
            )
        ]
        indexes = [models.Index(fields=["tenant", "-computed_at"], name="forecast_tenant_latest")]

    def __str__(self) -> str:
        return f"{self.tenant_id} forecast as of {self.as_of}"


class ForecastAlert(models.Model):
    """One breach of the buffer forecast within the warning window, alerted once.

    Open while the daily insight keeps seeing the breach; closed the first day it does not, so
    the next breach alerts again. At most one is open per tenant (a constraint)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    opened_on = models.DateField(help_text="The tenant's local date it was first seen.")
    breach_date = models.DateField(help_text="The median breach date when it was alerted.")
    books_version = models.CharField(max_length=64)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(closed_on__isnull=True),
                name="forecast_alert_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} breach {self.breach_date} (opened {self.opened_on})"


class ForecastScenario(models.Model):
    """A named what-if: driver changes, answered beside the baseline on the current books."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    changes = models.JSONField(help_text='[{"kind", "date", "amount" | "percent" | "days"}]')
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="forecast_scenario_name")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.name}"
