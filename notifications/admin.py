from __future__ import annotations

from django.contrib import admin

from notifications.models import Inbox, LiveConnection, Notification


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
