"""The inbox: notifications per user and tenant, the inbox's state, and live connections."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gateway.models import Tenant


class Kind(models.TextChoices):
    INFO = "info", "Info"
    SUCCESS = "success", "Success"
    WARNING = "warning", "Warning"
    ERROR = "error", "Error"
    COACH_ALERT = "coach_alert", "Coach alert"


ALL_KINDS = tuple(Kind.values)
# Kinds that are pushed even during quiet hours: they need a human now.
URGENT_KINDS = frozenset({Kind.ERROR, Kind.COACH_ALERT})


def default_live_kinds() -> list[str]:
    return list(ALL_KINDS)


class Notification(models.Model):
    """One message for one user in one tenant.

    ``id`` grows monotonically, and per user it grows in commit order (``notify`` serializes
    writers on the user's ``Inbox`` row), so "everything after id N" is a complete answer.
    ``seq`` numbers the notifications that were pushed live, per user and tenant, without gaps:
    a web process that sees seq 7 after 5 knows it lost 6 and fetches it from here.
    """

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    data = models.JSONField(blank=True, default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    seq = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Live sequence number; empty when not pushed live."
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["tenant", "user", "-id"], name="notif_inbox_idx"),
            models.Index(
                fields=["tenant", "user"],
                name="notif_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(
                fields=["tenant", "user", "seq"],
                name="notif_live_seq_idx",
                condition=models.Q(seq__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class Inbox(models.Model):
    """A user's inbox in a tenant: counters, preferences, and the row writers lock.

    ``version`` changes with every change to the user's notifications, so it is the inbox's
    ETag; ``stored`` counts the rows so pruning to the cap costs nothing until it is needed.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveBigIntegerField(default=0)
    live_seq = models.PositiveBigIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    live_kinds = models.JSONField(
        default=default_live_kinds, help_text="Kinds pushed live; the others only land here."
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "inboxes"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="inbox_unique"),
            models.CheckConstraint(
                condition=models.Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | models.Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="inbox_quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"inbox of {self.user_id} in {self.tenant_id}"


class LiveConnection(models.Model):
    """An open WebSocket, recorded so admins and ops can see who is online.

    Deleted on disconnect; ``last_seen`` is refreshed by its web process, so rows of a process
    that died grow stale and ``prune_stale_connections`` removes them.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    server = models.CharField(max_length=200, db_index=True)
    channel_name = models.CharField(max_length=200)
    connected_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-connected_at"]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.tenant_id} on {self.server}"
