"""The inbox: notifications per user and tenant, the inbox's state, and live connections."""

from __future__ import annotations

import uuid

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


# --- channels out: email, Slack, webhooks ----------------------------------------------------


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack"
    WEBHOOK = "webhook", "Webhook"


# What a destination is: a Slack incoming webhook, or a signed generic webhook.
DESTINATION_KINDS = [(Channel.SLACK.value, "Slack"), (Channel.WEBHOOK.value, "Webhook")]


class DigestFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    OFF = "off", "Off"


class Event(models.TextChoices):
    """What a delivery is about; the webhook events are the ``*.*`` ones."""

    DIGEST = "digest", "Morning email"
    ALERT = "alert.created", "Alert"
    INSIGHT = "insight.created", "Insight"
    PLAN_DUE = "plan.due", "Plan due"
    TEST = "test", "Test event"


WEBHOOK_EVENTS = (Event.INSIGHT.value, Event.ALERT.value, Event.PLAN_DUE.value)
# Kinds emailed at once when nobody says otherwise: the ones that need a human now.
DEFAULT_EMAIL_KINDS = (Kind.ERROR.value, Kind.COACH_ALERT.value)


class ChannelPreferences(models.Model):
    """Which kinds go out by email, the morning email's frequency, and quiet-hour handling.

    A row with a user is that member's choice; the row without one is the tenant's default. A
    null field inherits: member, then tenant default, then the built-in default
    (``services``' ``BUILTIN_PREFERENCES``), as Knock and openwisp-notifications do.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email_kinds = models.JSONField(null=True, blank=True, help_text="Kinds emailed at once.")
    digest = models.CharField(  # noqa: DJ001 - null means "inherit", distinct from any choice
        max_length=8, choices=DigestFrequency.choices, null=True, blank=True
    )
    digest_weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a weekly digest: 0 is Monday, 6 Sunday."
    )
    urgent_in_quiet_hours = models.BooleanField(
        null=True, blank=True, help_text="Email urgent alerts during quiet hours instead of after."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "channel preferences"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user"],
                condition=models.Q(user__isnull=False),
                name="chanpref_member_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(user__isnull=True),
                name="chanpref_tenant_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(digest_weekday__isnull=True) | models.Q(digest_weekday__lte=6),
                name="chanpref_weekday_range",
            ),
        ]

    def __str__(self) -> str:
        return f"channel preferences of {self.user_id or 'tenant'} in {self.tenant_id}"


class Destination(models.Model):
    """A tenant's Slack incoming webhook or signed HTTPS endpoint."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=DESTINATION_KINDS)
    name = models.CharField(max_length=100, blank=True, default="")
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=100, blank=True, default="", editable=False)
    events = models.JSONField(default=list, help_text="Events sent to it.")
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.name or self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Delivery(models.Model):
    """One message to one recipient on one channel: the record that makes it go out once.

    Written in the transaction of what it reports (the insight, the alert), unique per
    recipient and ``key``, so a re-run writes nothing new. A sender claims it with a lease
    (``sending`` until ``lease_until``); a worker that dies mid-send leaves the lease to run
    out and the sweep hands it to another; a ``sent`` row is never sent again.
    """

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    event = models.CharField(max_length=32, choices=Event.choices)
    key = models.CharField(max_length=200, help_text="What it is about, e.g. insight:<id>.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    destination = models.ForeignKey(
        Destination, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "user", "key"],
                condition=models.Q(user__isnull=False),
                name="delivery_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["destination", "key"],
                condition=models.Q(destination__isnull=False),
                name="delivery_once_per_destination",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(destination__isnull=False),
                name="delivery_has_recipient",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["destination", "-id"], name="delivery_dest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event} {self.key} ({self.status})"


class SentOnce(models.Model):
    """A message's idempotency key, stored with it: ``notify`` skips a key it already has (a
    reminder run twice on one day writes nothing the second time)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="sentonce_unique")]

    def __str__(self) -> str:
        return self.key
