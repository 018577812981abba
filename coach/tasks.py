"""Coach's periodic work on the ``default`` queue: plan reminders."""

from __future__ import annotations

from coach import reminders
from config.celery import RETRYING, app


@app.task(**RETRYING)
def send_plan_reminders() -> int:
    """Beat, every 15 minutes; idempotent per plan, recipient and day (see ``coach.reminders``)."""
    return reminders.send_plan_reminders()
