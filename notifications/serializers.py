"""Validation of inbox input, and the shapes the schema documents.

The inbox list itself is built from ``values_list`` rows in ``services.inbox_page``, not by a
serializer: it is the most-read endpoint, and per-object serializer overhead is most of its cost.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.conf import INBOX_CAP
from notifications.models import ALL_KINDS, Inbox, Kind


class InboxQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=INBOX_CAP)
    before = serializers.IntegerField(required=False, default=None, min_value=1, allow_null=True)


class NotificationSerializer(serializers.Serializer):
    """Documentation of one notification as the API and the WebSocket show it."""

    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="info, success, warning, error or coach_alert")
    title = serializers.CharField()
    body = serializers.CharField()
    # The metaclass moves declared fields off the class, so this never shadows Serializer.data;
    # the stubs cannot know that.
    data = serializers.DictField()  # type: ignore[assignment]
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class InboxPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Notifications kept (at most 200).")
    unread = serializers.IntegerField()
    results = NotificationSerializer(many=True)


class CountSerializer(serializers.Serializer):
    updated = serializers.IntegerField(required=False)
    deleted = serializers.IntegerField(required=False)


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?$",
        "example": "22:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of the tenant's zone: answered ``HH:MM:SS``, taken as ``HH:MM`` too.

    Not ``format: time``: that is RFC 3339's full-time, which carries a UTC offset, and a quiet
    hour has none (it follows the tenant's timezone, DST included)."""


class PreferencesSerializer(serializers.ModelSerializer):
    live_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Kind.choices),
        allow_empty=True,
        help_text="Kinds pushed live over the WebSocket; the others only land in the inbox.",
    )
    quiet_start = LocalTimeField(
        allow_null=True,
        required=False,
        help_text="Local time (tenant's timezone), HH:MM; answered as HH:MM:SS.",
    )
    quiet_end = LocalTimeField(
        allow_null=True,
        required=False,
        help_text="Local time (tenant's timezone), HH:MM; answered as HH:MM:SS.",
    )

    class Meta:
        model = Inbox
        fields = ["live_kinds", "quiet_start", "quiet_end"]

    def validate_live_kinds(self, value: list[str]) -> list[str]:
        return [kind for kind in ALL_KINDS if kind in set(value)]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        start = attrs.get("quiet_start", getattr(instance, "quiet_start", None))
        end = attrs.get("quiet_end", getattr(instance, "quiet_end", None))
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                {
                    "quiet_end"
                    if end is None
                    else "quiet_start": "set both quiet_start and quiet_end, or neither"
                }
            )
        return attrs
