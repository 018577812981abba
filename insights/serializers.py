from __future__ import annotations

from rest_framework import serializers

from insights.metrics import MONEY_FIELDS
from insights.models import FinancialPeriod


class FinancialPeriodSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")

    class Meta:
        model = FinancialPeriod
        fields = ["month", *MONEY_FIELDS, "updated_at"]


class FinancialPeriodInputSerializer(serializers.Serializer):
    """For the schema only: the view validates with ``insights.financials.clean_periods``."""

    month = serializers.CharField(help_text="YYYY-MM")
    revenue = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    cogs = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    operating_expenses = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    payroll = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    net_income = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    cash_balance = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    accounts_receivable = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    accounts_payable = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    inventory_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )


class FinancialsUpsertSerializer(serializers.Serializer):
    periods = FinancialPeriodInputSerializer(many=True)


class UpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    periods = FinancialPeriodSerializer(many=True)
