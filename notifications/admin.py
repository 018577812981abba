from __future__ import annotations

from django.contrib import admin

from notifications.models import (
    ChannelPreferences,
    Delivery,
    Destination,
    Inbox,
    LiveConnection,
    Notification,
)


@admin.register(LiveConnection)
class LiveConnectionAdmin(admin.ModelAdmin):
    """Who is online: one row per open WebSocket, per web process."""

    list_display = ["user", "tenant", "server", "connected_at", "last_seen"]
    list_filter = ["server", "tenant"]
    search_fields = ["user__username", "tenant__name", "server"]
    readonly_fields = ["user", "tenant", "server", "channel_name", "connected_at", "last_seen"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "tenant", "kind", "title", "created_at", "read_at", "seq"]
    list_filter = ["kind", "tenant"]
    search_fields = ["title", "user__username"]
    raw_id_fields = ["user", "tenant"]
    readonly_fields = ["created_at", "delivered_at", "seq"]


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "stored", "live_seq", "version", "quiet_start", "quiet_end"]
    raw_id_fields = ["user", "tenant"]
    readonly_fields = ["version", "live_seq", "stored", "updated_at"]


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    """Slack and webhook destinations; the signing secret is never shown here."""

    list_display = [
        "name",
        "kind",
        "tenant",
        "url",
        "enabled",
        "consecutive_failures",
        "created_at",
    ]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "url", "tenant__name"]
    raw_id_fields = ["tenant", "created_by"]
    readonly_fields = ["consecutive_failures", "disabled_reason", "created_at", "updated_at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every email, Slack message and webhook event, with its outcome."""

    list_display = [
        "id",
        "tenant",
        "channel",
        "event",
        "user",
        "destination",
        "status",
        "attempts",
        "response_code",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["channel", "event", "status"]
    search_fields = ["key", "user__username", "user__email", "tenant__name"]
    raw_id_fields = ["tenant", "user", "destination"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ChannelPreferences)
class ChannelPreferencesAdmin(admin.ModelAdmin):
    list_display = [
        "tenant",
        "user",
        "email_kinds",
        "digest",
        "digest_weekday",
        "urgent_in_quiet_hours",
    ]
    raw_id_fields = ["tenant", "user"]
