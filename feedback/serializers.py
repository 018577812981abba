from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from feedback.models import Reason


class FeedbackInputSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=Reason.choices, required=False, allow_blank=True, allow_null=True
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=True
    )

    def validate_comment(self, value: str | None) -> str:
        limit = settings.FEEDBACK_COMMENT_MAX_LENGTH
        if value and len(value) > limit:
            raise serializers.ValidationError(f"must be at most {limit} characters")
        return value or ""


class FeedbackResultSerializer(serializers.Serializer):
    feedback_id = serializers.IntegerField()
    recommendation_id = serializers.IntegerField()
    helpful = serializers.BooleanField()
    reason = serializers.CharField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    updated = serializers.BooleanField(help_text="true when this replaced earlier feedback")


class MyFeedbackSerializer(serializers.Serializer):
    """The caller's feedback on one recommendation, as the card shows it."""

    feedback_id = serializers.IntegerField(source="pk")
    recommendation_id = serializers.IntegerField()
    helpful = serializers.BooleanField()
    reason = serializers.CharField()
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()
