"""Periodic upkeep of live connections (runs on the ``notifications`` queue)."""

from __future__ import annotations

from datetime import timedelta

from config.celery import RETRYING, app
from notifications import services
from notifications.conf import setting


@app.task(**RETRYING)
def prune_stale_connections() -> int:
    """Remove connection rows left by a web process that died; idempotent, safe to repeat."""
    return services.prune_stale_connections(
        timedelta(seconds=setting("NOTIFICATIONS_STALE_SECONDS"))
    )
