from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coach import glossary
from coach.catalog.base import METRICS
from coach.catalog.formatting import format_metric
from coach.models import (
    ActionPlan,
    ActionTask,
    AnswerSource,
    AnswerStatus,
    Conversation,
    Message,
    MessageRole,
    PlanStatus,
    Priority,
    Recommendation,
    Status,
)


def metric_card(key: str, value: float | None, currency: str) -> dict[str, Any]:
    return {
        "key": key,
        "label": glossary.label(key),  # the glossary's words, as the console's tabs use
        "value": value,
        "unit": METRICS.get(key, "number"),
        "formatted": format_metric(key, value, currency),
    }


class ImpactSerializer(serializers.Serializer):
    """What doing a recommendation is worth: the forecast and the score re-run on the changed
    drivers (``changes``), with the figures each delta comes from."""

    runway_days_delta = serializers.IntegerField(
        allow_null=True,
        help_text="Days later cash runs out (at least this many when it no longer runs out "
        "within the 12-month horizon); null when it does not run out either way.",
    )
    cash_13w_delta = serializers.DecimalField(max_digits=18, decimal_places=2)
    score_delta = serializers.FloatField(allow_null=True)
    explanation = serializers.CharField()
    changes = serializers.ListField(child=serializers.DictField())
    figures = serializers.DictField()


class RecommendationSerializer(serializers.ModelSerializer):
    """Title and body are the model's rewrite when there is one, the template's words otherwise
    (both kept apart as ``template_title``/``template_body``)."""

    title = serializers.CharField(source="display_title", read_only=True)
    body = serializers.CharField(source="display_body", read_only=True)
    template_title = serializers.CharField(source="title", read_only=True)
    template_body = serializers.CharField(source="body", read_only=True)
    enriched = serializers.SerializerMethodField()
    impact = ImpactSerializer(allow_null=True, read_only=True)

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
            "template_title",
            "template_body",
            "enriched",
            "status",
            "issued_on",
            "created_at",
            "seen_at",
            "acted_at",
            "dismissed_at",
            "snoozed_until",
            "actions",
            "questions",
            "impact",
        ]
        read_only_fields = [f for f in fields if f != "status"]

    def get_enriched(self, recommendation: Recommendation) -> bool:
        return bool(recommendation.enriched_title or recommendation.enriched_body)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)


class SnoozeSerializer(serializers.Serializer):
    """How long: a week or a month from the tenant's today."""

    period = serializers.ChoiceField(choices=[("week", "A week"), ("month", "A month")])


class MetricCardSerializer(serializers.Serializer):
    key = serializers.CharField()
    # The metaclass moves declared fields off the class, so this never shadows Field.label; the
    # stubs cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]
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
    # Stored as JSON: [[YYYY-MM-DD, value], ...] per metric.
    by_month = {
        metric: {str(when): value for when, value in points}
        for metric, points in recommendation.series.items()
    }
    months = sorted({month for values in by_month.values() for month in values})
    series = {
        metric: [values.get(month) for month in months] for metric, values in by_month.items()
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


# --- Action plans --------------------------------------------------------------------------------


class ActionTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionTask
        fields = [
            "id",
            "title",
            "position",
            "due_date",
            "done",
            "assignee",
            "completed_by",
            "completed_at",
        ]
        read_only_fields = fields


class PlanOutcomeSerializer(serializers.Serializer):
    """Did it work? Reported once, when the plan is done or its due date has passed."""

    metric = serializers.CharField()
    start = serializers.FloatField()
    end = serializers.FloatField()
    change = serializers.FloatField()
    moved = serializers.ChoiceField(choices=["better", "worse", "unchanged"])
    on = serializers.DateField()
    explanation = serializers.CharField()


class ActionPlanSerializer(serializers.ModelSerializer):
    tasks = ActionTaskSerializer(many=True, read_only=True)
    metric_latest = serializers.SerializerMethodField(
        help_text="The figure's value at the latest insight (null before the first)."
    )
    metric_start_text = serializers.SerializerMethodField(
        help_text="metric_start as the cards write it, money in the tenant's currency (null "
        "when the plan tracks no figure)."
    )
    metric_latest_text = serializers.SerializerMethodField(
        help_text="metric_latest as the cards write it (null before the first insight)."
    )
    outcome = PlanOutcomeSerializer(allow_null=True, read_only=True)

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "recommendation",
            "title",
            "description",
            "priority",
            "start_date",
            "due_date",
            "status",
            "owner",
            "created_by",
            "created_at",
            "updated_at",
            "confirmed_at",
            "completed_at",
            "tasks",
            "metric",
            "metric_start",
            "metric_latest",
            "metric_start_text",
            "metric_latest_text",
            "outcome",
        ]
        read_only_fields = fields

    def get_metric_latest(self, plan: ActionPlan) -> float | None:
        readings = plan.readings or []
        return float(readings[-1][1]) if readings else None

    def _figure_text(self, plan: ActionPlan, value: float | None) -> str | None:
        """The one formatting definition (format_metric), so an amount carries its currency."""
        if not plan.metric or value is None:
            return None
        return format_metric(plan.metric, value, plan.tenant.currency)

    def get_metric_start_text(self, plan: ActionPlan) -> str | None:
        return self._figure_text(plan, plan.metric_start)

    def get_metric_latest_text(self, plan: ActionPlan) -> str | None:
        return self._figure_text(plan, self.get_metric_latest(plan))


class TaskInputSerializer(serializers.Serializer):
    """A task given with a new plan; an error at it names its place: tasks[1].assignee."""

    title = serializers.CharField(max_length=200, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    assignee = serializers.IntegerField(
        required=False, allow_null=True, help_text="A member's user id; null (or none) for nobody."
    )


class PlanFieldsSerializer(serializers.Serializer):
    """The plan's own details, all optional: what creating and changing a plan share."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    owner = serializers.IntegerField(required=False, allow_null=True)


class PlanCreateSerializer(PlanFieldsSerializer):
    """Either ``recommendation`` (a draft prefilled from it) or the plan's own details."""

    recommendation = serializers.IntegerField(required=False, allow_null=True)
    tasks = TaskInputSerializer(many=True, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("recommendation") is None and "title" not in attrs:
            raise serializers.ValidationError(
                {"title": ["is required when the plan does not come from a recommendation"]}
            )
        return attrs


class PlanUpdateSerializer(PlanFieldsSerializer):
    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False)


class TaskCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    position = serializers.IntegerField(required=False, min_value=0)
    assignee = serializers.IntegerField(
        required=False, allow_null=True, help_text="A member's user id; null for nobody."
    )


class TaskUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    done = serializers.BooleanField(required=False)
    assignee = serializers.IntegerField(
        required=False, allow_null=True, help_text="A member's user id; null unassigns."
    )


class ReorderSerializer(serializers.Serializer):
    order = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


# --- "Tell me more" ------------------------------------------------------------------------------


# An assistant answer the ``llm`` queue has not produced yet has ``status = "pending"`` (and empty
# content); the API shows it as ``status: "pending"`` and ``source: "pending"``.
ANSWER_PENDING = AnswerStatus.PENDING.value


def is_pending(message: Message) -> bool:
    """Whether this is an answer still being produced (see ``coach.chat.produce_answer``)."""
    return message.role == MessageRole.ASSISTANT and message.status == AnswerStatus.PENDING


class MessageSerializer(serializers.ModelSerializer):
    """A question or an answer. An answer being produced has ``status: "pending"``, empty
    ``content`` and ``source: "pending"``; it becomes ``done`` with the model's words (``llm``) or
    the honest fallback (``fallback``, ``fallback_reason`` says why)."""

    # The metaclass moves declared fields off the class, so this never shadows Field.source; the
    # stubs cannot know that.
    source = serializers.SerializerMethodField()  # type: ignore[assignment]
    fallback_reason = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "role",
            "content",
            "source",
            "fallback_reason",
            "model",
            "created_at",
            "status",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "string", "enum": [*AnswerSource.values, ANSWER_PENDING], "readOnly": True}
    )
    def get_source(self, message: Message) -> str:
        return ANSWER_PENDING if is_pending(message) else message.source

    @extend_schema_field(
        {
            "type": "string",
            "description": "Why the fallback answered: not_configured, budget_exceeded, "
            "timeout, rate_limited, error; empty otherwise.",
            "readOnly": True,
        }
    )
    def get_fallback_reason(self, message: Message) -> str:
        return "" if is_pending(message) else message.fallback_reason

    @extend_schema_field(serializers.ChoiceField(choices=AnswerStatus.choices))
    def get_status(self, message: Message) -> str:
        return AnswerStatus.PENDING if is_pending(message) else AnswerStatus.DONE


def message_data(message: Message) -> dict[str, Any]:
    """A message as the API and the WebSocket show it (JSON-ready)."""
    return dict(MessageSerializer(message).data)


class ConversationSerializer(serializers.ModelSerializer):
    """A caller's conversation about a recommendation. Before the first question there is none:
    ``id``, ``created_at`` and ``updated_at`` are null and ``messages`` is empty."""

    id = serializers.IntegerField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    messages = MessageSerializer(many=True, read_only=True)

    class Meta:
        model = Conversation
        fields = ["id", "recommendation", "created_at", "updated_at", "messages"]
        read_only_fields = fields


class QuestionSerializer(serializers.Serializer):
    content = serializers.CharField(allow_blank=True, trim_whitespace=True)


class ExchangeSerializer(serializers.Serializer):
    """A question just asked: 202 with the answer pending, or 201 with the fallback answer."""

    conversation_id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=AnswerStatus.choices, help_text="pending: the answer arrives as chat.done."
    )
    question = MessageSerializer()
    answer = MessageSerializer()
