"""Periodic upkeep of live connections, and sending on the channels out (the ``notifications``
queue)."""

from __future__ import annotations

from datetime import timedelta

from config.celery import RETRYING, app
from notifications import delivery, services
from notifications.conf import setting


@app.task(**RETRYING)
def prune_stale_connections() -> int:
    """Remove connection rows left by a web process that died; idempotent, safe to repeat."""
    return services.prune_stale_connections(
        timedelta(seconds=setting("NOTIFICATIONS_STALE_SECONDS"))
    )


@app.task(**RETRYING)
def send_deliveries(ids: list[int]) -> dict[str, int]:
    """Send these deliveries if they are due and nobody holds them; safe to run twice."""
    return delivery.send(ids)


@app.task(**RETRYING)
def send_keys(keys: list[str]) -> dict[str, int]:
    """Send the due deliveries of what was just queued (a batch's morning emails, say)."""
    return delivery.send(delivery.due_ids(keys))


@app.task(**RETRYING)
def sweep_deliveries() -> int:
    """Beat, every minute: retries whose time has come, held emails whose quiet hours ended,
    deliveries whose sender died (lease run out), and anything queued while the broker was
    down."""
    return delivery.sweep()
