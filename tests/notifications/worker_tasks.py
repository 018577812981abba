"""A task the two-web-process test runs on a real Celery worker: notify from a worker process.

Named under ``notifications.tasks`` so it is routed to the ``notifications`` queue like the
app's own tasks.
"""

from __future__ import annotations

from config.celery import app
from gateway.models import Tenant
from notifications.services import notify


@app.task(name="notifications.tasks.test_notify_from_worker")
def notify_from_worker(tenant_id: str, title: str) -> list[int]:
    tenant = Tenant.objects.get(pk=tenant_id)
    return [row.id for row in notify(tenant, kind="coach_alert", title=title)]
