from __future__ import annotations

from typing import Any

from django.db.models import Case, When
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coach.serializers import RecommendationSerializer
from coach.vocabulary import Priority, Stage
from insights.metrics import MONEY_FIELDS
from insights.models import FinancialPeriod, Insight

# Most urgent first on an insight's card list.
PRIORITY_ORDER: tuple[Priority, ...] = tuple(sorted(Priority, key=lambda p: -p.rank))


@extend_schema_field(
    {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$", "example": "2024-11"}
)
class MonthField(serializers.DateField):
    """A period's month, answered as ``YYYY-MM`` (what the filters and the console use); the
    schema says so instead of ``format: date``, which promises a full date."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m", **kwargs)


class FinancialPeriodSerializer(serializers.ModelSerializer):
    month = MonthField()

    class Meta:
        model = FinancialPeriod
        fields = ["month", *MONEY_FIELDS, "updated_at"]


def _money_field() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )


# For the schema only: the view validates with ``insights.financials.clean_periods``. Built from
# MONEY_FIELDS so the documented fields are always the stored ones.
FinancialPeriodInputSerializer = type(
    "FinancialPeriodInputSerializer",
    (serializers.Serializer,),
    {
        "month": serializers.CharField(help_text="YYYY-MM"),
        **{name: _money_field() for name in MONEY_FIELDS},
    },
)


class FinancialsUpsertSerializer(serializers.Serializer):
    periods = FinancialPeriodInputSerializer(many=True)


class UpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    periods = FinancialPeriodSerializer(many=True)


class InsightSummarySerializer(serializers.ModelSerializer):
    """One point of the health trend chart."""

    class Meta:
        model = Insight
        fields = ["local_date", "score", "band", "as_of", "has_data", "generated_at"]


class StageField(serializers.ChoiceField):
    """A stage, or null where none is stored (no books, or an insight older than the field)."""

    def to_representation(self, value: Any) -> Any:
        return super().to_representation(value) if value else None


class InsightSerializer(serializers.ModelSerializer):
    stage = StageField(
        choices=Stage.choices,
        allow_null=True,
        read_only=True,
        help_text="Where the business is in its life, from the day's books (coach/stage.py): "
        "what the day's advice was framed by. Its words and meaning are the glossary's "
        "(GET /v1/coach/glossary/, keys stage and stage_<value>). Null without books, and on "
        "insights written before the stage was stored.",
    )
    recommendations = serializers.SerializerMethodField()

    class Meta:
        model = Insight
        fields = [
            "local_date",
            "score",
            "band",
            "stage",
            "health",
            "change",
            "as_of",
            "has_data",
            "generated_at",
            "duration_ms",
            "regenerated_at",
            "regeneration_count",
            "recommendations",
        ]

    @extend_schema_field(RecommendationSerializer(many=True))
    def get_recommendations(self, insight: Insight) -> list[dict]:
        recs = insight.recommendations.order_by(
            Case(*[When(priority=p, then=i) for i, p in enumerate(PRIORITY_ORDER)]), "-score", "id"
        )
        # many_init is what many=True calls; unlike that spelling, it types as a list.
        return RecommendationSerializer.many_init(recs).data
