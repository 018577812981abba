"""The cash forecast: one per tenant and books version, breach alerts, saved scenarios; the
insight records the forecast it read."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0003_dispatcher_and_schedules"),
        ("gateway", "0002_tenant_industry_and_cash_settings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="insight",
            name="forecast",
            field=models.JSONField(
                blank=True,
                help_text="The stored forecast it read: books version, cash-zero and buffer-breach dates.",
                null=True,
            ),
        ),
        migrations.CreateModel(
            name="Forecast",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("books_version", models.CharField(help_text="The version of the books and the buffer it was computed on.", max_length=64)),
                ("as_of", models.DateField(help_text="Last day of the last month of books.")),
                ("method", models.TextField(help_text="The method used, and why.")),
                ("buffer", models.DecimalField(decimal_places=2, max_digits=18)),
                ("body", models.JSONField(help_text="The forecast as GET …/forecast/ answers it.")),
                ("cash_zero", models.JSONField(blank=True, null=True)),
                ("buffer_breach", models.JSONField(blank=True, null=True)),
                ("runway_days", models.IntegerField(blank=True, help_text="Days to the median date cash runs out (null: beyond).", null=True)),
                ("cash_13w", models.DecimalField(decimal_places=2, max_digits=18)),
                ("impacts", models.JSONField(default=dict, help_text="{template key: impact}: what each recommendation is worth.")),
                ("computed_at", models.DateTimeField(auto_now_add=True)),
                ("duration_ms", models.FloatField(default=0.0)),
                ("tenant", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="gateway.tenant")),
            ],
            options={
                "indexes": [models.Index(fields=["tenant", "-computed_at"], name="forecast_tenant_latest")],
                "constraints": [models.UniqueConstraint(fields=("tenant", "books_version"), name="forecast_one_per_books_version")],
            },
        ),
        migrations.CreateModel(
            name="ForecastAlert",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("opened_on", models.DateField(help_text="The tenant's local date it was first seen.")),
                ("breach_date", models.DateField(help_text="The median breach date when it was alerted.")),
                ("books_version", models.CharField(max_length=64)),
                ("closed_on", models.DateField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("tenant", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="gateway.tenant")),
            ],
            options={
                "ordering": ["-opened_on", "-id"],
                "constraints": [models.UniqueConstraint(condition=models.Q(("closed_on__isnull", True)), fields=("tenant",), name="forecast_alert_one_open")],
            },
        ),
        migrations.CreateModel(
            name="ForecastScenario",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                ("changes", models.JSONField(help_text='[{"kind", "date", "amount" | "percent" | "days"}]')),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("tenant", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="gateway.tenant")),
            ],
            options={
                "ordering": ["-updated_at", "-id"],
                "constraints": [models.UniqueConstraint(fields=("tenant", "name"), name="forecast_scenario_name")],
            },
        ),
    ]
