"""Validation and shapes of the channels' API: preferences per channel, destinations, the log."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from notifications import channels, webhooks
from notifications.models import (
    ALL_KINDS,
    DESTINATION_KINDS,
    WEBHOOK_EVENTS,
    Delivery,
    Destination,
    DigestFrequency,
    Kind,
)


class ChannelPreferencesSerializer(serializers.Serializer):
    """Per-channel choices. Sent: a value sets it, ``null`` goes back to the default."""

    email_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Kind.choices),
        allow_null=True,
        required=False,
        help_text="Kinds emailed at once to a member who is not online.",
    )
    digest = serializers.ChoiceField(
        choices=DigestFrequency.choices,
        allow_null=True,
        required=False,
        help_text="The morning email: daily, weekly or off.",
    )
    digest_weekday = serializers.IntegerField(
        min_value=0,
        max_value=6,
        allow_null=True,
        required=False,
        help_text="For a weekly morning email: 0 is Monday, 6 Sunday.",
    )
    urgent_in_quiet_hours = serializers.BooleanField(
        allow_null=True,
        required=False,
        help_text="Email urgent alerts during quiet hours (otherwise they wait for the end).",
    )

    def validate_email_kinds(self, value: list[str] | None) -> list[str] | None:
        return None if value is None else [k for k in ALL_KINDS if k in set(value)]


class PreferencesViewSerializer(serializers.Serializer):
    """What a member's (or the tenant's) preferences are: effective, own choices, defaults."""

    effective = ChannelPreferencesSerializer(help_text="What applies now.")
    own = ChannelPreferencesSerializer(help_text="The choices stored here; null inherits.")
    defaults = ChannelPreferencesSerializer(help_text="What null inherits.")


class DestinationSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[(e, e) for e in WEBHOOK_EVENTS]),
        allow_empty=False,
        required=False,
        help_text="Events sent to it: insight.created, alert.created, plan.due (all by default).",
    )
    kind = serializers.ChoiceField(
        choices=DESTINATION_KINDS,
        help_text="slack (an incoming-webhook URL, blocks) or webhook (signed JSON events).",
    )

    class Meta:
        model = Destination
        fields = [
            "id",
            "kind",
            "name",
            "url",
            "events",
            "enabled",
            "disabled_reason",
            "consecutive_failures",
            "created_at",
        ]
        read_only_fields = ["id", "disabled_reason", "consecutive_failures", "created_at"]

    def validate_url(self, value: str) -> str:
        try:
            webhooks.check_url(value)
        except webhooks.UnsafeURL as exc:
            raise serializers.ValidationError(str(exc).removeprefix("url: ")) from None
        return value

    def validate_events(self, value: list[str]) -> list[str]:
        return [e for e in WEBHOOK_EVENTS if e in set(value)]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "kind" in attrs and attrs["kind"] != self.instance.kind:
            raise serializers.ValidationError({"kind": "cannot be changed; add a new destination"})
        return attrs


class CreatedDestinationSerializer(DestinationSerializer):
    secret = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The signing secret of a webhook (null for Slack): shown in this answer only.",
    )

    class Meta(DestinationSerializer.Meta):
        fields = [*DestinationSerializer.Meta.fields, "secret"]


class DeliverySerializer(serializers.ModelSerializer):
    destination = serializers.UUIDField(source="destination_id", allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "channel",
            "event",
            "destination",
            "status",
            "attempts",
            "response_code",
            "error",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "sent_at",
        ]
        read_only_fields = fields


EMAIL_KIND_CHOICES = channels.EMAIL_KINDS
