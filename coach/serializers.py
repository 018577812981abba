from __future__ import annotations

from typing import Any

from rest_framework import serializers

from coach.catalog.base import METRICS
from coach.catalog.formatting import format_metric
from coach.models import Recommendation, Status

# Labels for the metric cards of the details view.
METRIC_LABELS = {
    "runway_days": "Cash runway",
    "net_burn": "Net burn / month",
    "cash_balance": "Cash balance",
    "cash_months_of_expenses": "Cash buffer",
    "dso": "Days sales outstanding",
    "dpo": "Days payables outstanding",
    "dio": "Days inventory outstanding",
    "cash_conversion_cycle": "Cash conversion cycle",
    "gross_margin": "Gross margin",
    "net_margin": "Net margin",
    "operating_expense_ratio": "Opex / revenue",
    "payroll_ratio": "Payroll / revenue",
    "revenue_growth_mom": "Revenue, month on month",
    "revenue_growth_yoy": "Revenue, year on year",
    "revenue_growth_3m": "Revenue, last 3 months",
}


def metric_card(key: str, value: float | None, currency: str) -> dict[str, Any]:
    return {
        "key": key,
        "label": METRIC_LABELS.get(key, key.replace("_", " ").capitalize()),
        "value": value,
        "unit": METRICS.get(key, "number"),
        "formatted": format_metric(key, value, currency),
    }


class RecommendationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = [
            "id",
            "template_key",
            "category",
            "priority",
            "score",
            "title",
            "body",
            "status",
            "issued_on",
            "created_at",
            "seen_at",
            "acted_at",
            "dismissed_at",
            "actions",
            "questions",
        ]
        read_only_fields = [f for f in fields if f != "status"]


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)


class MetricCardSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    unit = serializers.CharField()
    formatted = serializers.CharField()


class RecommendationDetailsSerializer(serializers.Serializer):
    """What the "Show details" view draws: four cards, the trend chart, the cash-flow table."""

    recommendation = RecommendationSerializer()
    key_metrics = MetricCardSerializer(many=True)
    trend = serializers.DictField(
        help_text="{months: [YYYY-MM-DD], series: {metric: [value|null]}}"
    )
    cash_flow = serializers.ListField(child=serializers.DictField())


def details_for(recommendation: Recommendation) -> dict[str, Any]:
    figures = recommendation.figures or {}
    months = sorted({point[0] for points in recommendation.series.values() for point in points})
    series = {
        metric: [dict(points).get(month) for month in months]
        for metric, points in recommendation.series.items()
    }
    return {
        "recommendation": RecommendationSerializer(recommendation).data,
        "key_metrics": [
            metric_card(key, figures.get(key), recommendation.currency)
            for key in recommendation.key_metrics
        ],
        "trend": {"months": months, "series": series},
        "cash_flow": recommendation.cash_flow,
    }
