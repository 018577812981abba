"""A task the logging test runs on a real worker: one log line inside a tenant's context."""

from __future__ import annotations

import logging

from config.celery import app
from gateway.logs import tenant_context

log = logging.getLogger(__name__)


@app.task(name="tests.log_probe.log_line")
def log_line(tenant_id: str) -> str:
    with tenant_context(tenant_id):
        log.info("probe tenant=%s", tenant_id)
    return "logged"
