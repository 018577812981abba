"""Sending queued deliveries: claim with a lease, send once, record, retry with backoff.

A delivery is claimed by one sender at a time (``sending`` with a lease, taken under a row
lock), sent, and recorded ``sent`` before anyone looks at it again, so a redelivered task or
the sweep skips it. A worker killed mid-send leaves the lease to run out; the sweep then hands
the delivery to another worker, which sends it (emails keep their Message-ID, webhook events
their id, so the one exchange that was cut off halfway is recognisable as the same message).
Failures are retried with exponential backoff over hours; a destination that keeps failing is
disabled and its owners told.
"""

from __future__ import annotations

import logging
import random
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from gateway.models import Role
from notifications import channels, emails, webhooks
from notifications.conf import setting
from notifications.models import Channel, Delivery, DeliveryStatus, Destination, Event

log = logging.getLogger(__name__)

# Deliveries handed to one task by the sweep: small, so a killed worker redoes little.
SWEEP_CHUNK = 50


def backoff(attempts: int, *, jitter: bool = True) -> float:
    """Seconds before the next attempt after ``attempts`` failed: base x 4^(n-1), capped at 6 h."""
    base = float(setting("NOTIFICATIONS_RETRY_BASE_SECONDS"))
    delay = min(base * 4 ** max(attempts - 1, 0), 6 * 3600.0)
    return delay * random.uniform(0.9, 1.1) if jitter else delay  # noqa: S311 - not crypto


def _due(now: datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )


def claim(pk: int) -> Delivery | None:
    """Take a due delivery for this sender (a lease), or None when it is not ours to send."""
    now = timezone.now()
    lease = timedelta(seconds=float(setting("NOTIFICATIONS_SEND_LEASE_SECONDS")))
    with transaction.atomic():
        row = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("tenant", "user", "destination")
            .filter(_due(now), pk=pk)
            .first()
        )
        if row is None:
            return None
        row.status = DeliveryStatus.SENDING
        row.lease_until = now + lease
        row.attempts += 1
        row.last_attempt_at = now
        row.save(update_fields=["status", "lease_until", "attempts", "last_attempt_at"])
    return row


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: int | None = None
    error: str = ""
    permanent: bool = False  # no point retrying (an address the server refuses)
    cancelled: bool = False  # no longer wanted (unsubscribed, destination disabled)


def _still_wanted(row: Delivery) -> str:
    """Why a claimed delivery should not go out any more ("" when it should)."""
    if row.channel == Channel.EMAIL:
        if row.user is None or not row.user.is_active or not row.user.email:
            return "the member has no email address"
        prefs = channels.effective(row.tenant, row.user.pk)
        if not channels.wants_email(prefs, row.event, row.payload.get("kind")):
            return "the member turned this email off"
        if not row.tenant.memberships.filter(user=row.user).exists():
            return "no longer a member"
        return ""
    dest = row.destination
    if dest is None or not dest.enabled:
        return "the destination is disabled"
    if row.event != Event.TEST and row.event not in dest.events:
        return "the destination no longer takes this event"
    return ""


def _send_email(row: Delivery, connection: BaseEmailBackend) -> Outcome:
    if row.user is None:
        return Outcome(False, error="no recipient", cancelled=True)
    message = emails.render(row.payload, delivery_id=row.pk, user_id=row.user.pk, to=row.user.email)
    message.connection = connection
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome(False, None, f"recipient refused: {exc.recipients}"[:300], permanent=True)
    except smtplib.SMTPResponseException as exc:
        permanent = 500 <= exc.smtp_code < 600
        return Outcome(False, exc.smtp_code, str(exc.smtp_error)[:300], permanent=permanent)
    except (OSError, smtplib.SMTPException) as exc:
        connection.close()  # a broken connection is opened afresh for the next email
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:300])
    return Outcome(True, 250)


def webhook_request(row: Delivery, dest: Destination) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a delivery to a destination (built again for each attempt)."""
    payload = row.payload
    if dest.kind == Channel.SLACK:
        summary, lines = _slack_text(row.event, payload)
        link = channels.console_link(row.tenant_id)
        return webhooks.slack_body(summary, lines, link), {}
    body = webhooks.event_body(
        payload["id"], row.event, payload["created_at"], payload["tenant"], payload["data"]
    )
    headers = {
        webhooks.SIGNATURE_HEADER: webhooks.sign(dest.secret, body),
        "Coach-Event": row.event,
        "Coach-Event-Id": payload["id"],
    }
    return body, headers


def _slack_text(event: str, payload: dict[str, Any]) -> tuple[str, list[str]]:
    data = payload["data"]
    name = payload["tenant"]["name"]
    if event == Event.INSIGHT:
        score = data.get("score")
        change = data.get("change")
        summary = f"{name}: health score {score if score is not None else 'n/a'}"
        if change:
            summary += f" ({'+' if change > 0 else ''}{change:g})"
        lines = [f"• {card['title']}" for card in data.get("cards", [])[:5]]
        if data.get("forecast_breach_date"):
            lines.append(f"Cash falls below the buffer on {data['forecast_breach_date']}.")
        return summary, lines
    if event == Event.TEST:
        return f"{name}: a test event from Coach", ["If you can read this, the destination works."]
    return f"{name}: {data.get('title', event)}", [data.get("body", "")] if data.get("body") else []


def _send_webhook(row: Delivery) -> Outcome:
    dest = row.destination
    if dest is None:
        return Outcome(False, error="no destination", cancelled=True)
    body, headers = webhook_request(row, dest)
    result = webhooks.post(dest.url, body, headers)
    return Outcome(result.ok, result.status, result.error)


def _record(row: Delivery, outcome: Outcome) -> None:
    """Store what happened, if the claim is still ours (same attempt, still sending)."""
    now = timezone.now()
    mine = Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING, attempts=row.attempts)
    common: dict[str, Any] = {"response_code": outcome.code, "lease_until": None}
    retry_in: float | None = None
    with transaction.atomic():
        if outcome.ok:
            mine.update(status=DeliveryStatus.SENT, sent_at=now, error="", **common)
        elif outcome.cancelled:
            mine.update(status=DeliveryStatus.CANCELLED, error=outcome.error, **common)
        elif outcome.permanent or row.attempts >= int(setting("NOTIFICATIONS_MAX_ATTEMPTS")):
            mine.update(status=DeliveryStatus.FAILED, error=outcome.error, **common)
        else:
            retry_in = backoff(row.attempts)
            mine.update(
                status=DeliveryStatus.PENDING,
                error=outcome.error,
                next_attempt_at=now + timedelta(seconds=retry_in),
                **common,
            )
        if row.destination_id is not None and not outcome.cancelled:
            _count(row, outcome.ok)
    if retry_in is not None and retry_in <= 300:
        # Short waits from a task (seconds, in tests and the first retries); longer ones are
        # picked up by the sweep, which runs every minute.
        from notifications.tasks import send_deliveries

        transaction.on_commit(
            lambda: send_deliveries.apply_async(([row.pk],), countdown=retry_in), robust=True
        )


def _count(row: Delivery, ok: bool) -> None:
    """A destination's consecutive failures; too many disable it and tell its owners."""
    if row.destination_id is None:
        return
    dests = Destination.objects.filter(pk=row.destination_id)
    if ok:
        dests.exclude(consecutive_failures=0).update(consecutive_failures=0)
        return
    dests.update(consecutive_failures=F("consecutive_failures") + 1)
    limit = int(setting("NOTIFICATIONS_DISABLE_AFTER"))
    dest = Destination.objects.select_for_update().get(pk=row.destination_id)
    if not dest.enabled or dest.consecutive_failures < limit:
        return
    dest.enabled = False
    dest.disabled_reason = f"disabled after {dest.consecutive_failures} failed attempts in a row"
    dest.save(update_fields=["enabled", "disabled_reason", "updated_at"])
    Delivery.objects.filter(destination=dest, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, error="the destination was disabled"
    )
    from notifications.services import notify

    label = dest.name or dest.url
    notify(
        row.tenant,
        kind="error",
        title=f"{dest.get_kind_display()} destination disabled: {label}"[:200],
        body=(
            f"Coach stopped sending to {dest.url} after {dest.consecutive_failures} failed "
            f"attempts in a row (last: {row.response_code or 'no answer'}). Fix it, then enable "
            "it again in the destinations settings."
        ),
        data={"destination_id": str(dest.pk)},
        roles=[Role.OWNER],
    )
    log.warning("destination %s disabled tenant=%s", dest.pk, row.tenant_id)


def send(ids: Iterable[int]) -> dict[str, int]:
    """Send the given deliveries that are due and not taken; counts by what happened."""
    counts = {"sent": 0, "failed": 0, "skipped": 0, "cancelled": 0}
    connection: BaseEmailBackend | None = None
    try:
        for pk in ids:
            row = claim(pk)
            if row is None:
                counts["skipped"] += 1
                continue
            reason = _still_wanted(row)
            if reason:
                outcome = Outcome(False, error=reason, cancelled=True)
            elif row.channel == Channel.EMAIL:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                outcome = _send_email(row, connection)
            else:
                outcome = _send_webhook(row)
            _record(row, outcome)
            counts["sent" if outcome.ok else "cancelled" if outcome.cancelled else "failed"] += 1
    finally:
        if connection is not None:
            connection.close()
    return counts


def due_ids(keys: Sequence[str] | None = None, limit: int = 5000) -> list[int]:
    now = timezone.now()
    rows = Delivery.objects.filter(_due(now))
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    return list(rows.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])


def send_after_commit(keys: list[str]) -> None:
    """After the queuing transaction commits: hand its due deliveries to the notifications
    queue. If the broker is down now, the rows are there and the sweep sends them."""
    from notifications.tasks import send_keys

    send_keys.delay(keys)


def sweep() -> int:
    """Hand every due delivery (new, retry time reached, or a dead sender's lease run out) to
    the notifications queue in small tasks; how many."""
    from notifications.tasks import send_deliveries

    ids = due_ids()
    for start in range(0, len(ids), SWEEP_CHUNK):
        send_deliveries.delay(ids[start : start + SWEEP_CHUNK])
    return len(ids)


def queue_test_event(dest: Destination) -> Delivery:
    """A ``test`` event to one destination, sent at once from the queue."""
    now = timezone.now()
    key = f"test:{now.timestamp()}"
    row = Delivery.objects.create(
        tenant=dest.tenant,
        channel=dest.kind,
        event=Event.TEST,
        key=key,
        destination=dest,
        payload={
            "id": channels.event_id(f"{dest.pk}:{key}"),
            "created_at": now.isoformat(),
            "tenant": {
                "id": str(dest.tenant_id),
                "name": dest.tenant.name,
                "currency": dest.tenant.currency,
            },
            "data": {"message": "A test event from Coach."},
        },
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: send_after_commit([key]), robust=True)
    return row
