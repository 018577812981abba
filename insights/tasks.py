"""Celery tasks of the daily insight: thin wrappers over dispatch and daily."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from celery import shared_task
from django.conf import settings

from config.celery import RETRYING
from insights import daily, dispatch
from insights.pipeline import Mode
from insights.scheduling import Item


def encode(items: Sequence[Item]) -> list[list[str]]:
    return [[str(tenant_id), day.isoformat()] for tenant_id, day in items]


def decode(raw: Sequence[Sequence[str]]) -> list[Item]:
    return [(UUID(tenant_id), date.fromisoformat(day)) for tenant_id, day in raw]


def publish_batch(items: Sequence[Item], at: datetime) -> None:
    run_insight_batch.apply_async(args=(encode(items), at.isoformat()))


@shared_task(
    bind=True,
    **RETRYING,
    soft_time_limit=settings.INSIGHT_BATCH_SOFT_TIME_LIMIT,
    time_limit=settings.INSIGHT_BATCH_SOFT_TIME_LIMIT + 30,
)
def run_insight_batch(
    self: Any, items: list[list[str]], at: str | None = None, mode: str = Mode.NEW.value
) -> dict[str, int]:
    """Compute a batch's insights; safe to run again (acks late, redelivered if the worker dies).

    ``mode`` is ``new`` (today's insights) or ``history`` (past days, on the books as they
    stood); replacing is never queued."""
    when = datetime.fromisoformat(at) if at else None
    wanted = Mode(mode)
    if wanted == Mode.REPLACE:
        raise ValueError("replacing an insight is never queued")
    return daily.run_batch(
        decode(items), task_id=self.request.id or "", at=when, mode=wanted
    ).summary()


@shared_task(bind=True, **RETRYING)
def dispatch_due_insights(self: Any) -> dict[str, float]:
    """Beat's periodic entry point: one dispatcher pass at the current instant."""
    return dispatch.dispatch_due(publish=publish_batch).summary()


@shared_task(bind=True, **RETRYING)
def publish_pending(self: Any) -> dict[str, int]:
    """Beat's sweep (every ``COACH_SWEEP_EVERY`` s, on the ``default`` queue so a morning's
    backlog of batches never delays it): publish again the work owed after a commit whose
    message was never published or was lost: run-now intents, enrichment, pending answers."""
    from coach import recovery

    runs = dispatch.publish_unpublished_runs()
    return {"runs": runs, **recovery.sweep().summary()}


@shared_task(bind=True, **RETRYING)
def compute_forecast(self: Any, tenant_id: str) -> dict[str, Any]:
    """The tenant's forecast for its current books (once per books version: a second run finds
    it), then today's insight re-read with it, when there is one."""
    from gateway.models import Tenant
    from insights.forecast.store import compute

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return {"status": "no such tenant"}
    computed = compute(tenant)
    if computed.forecast is None:
        return {"status": "no forecast", "reason": computed.reason}
    if computed.created:
        daily.forecast_changed(tenant)
    return {
        "status": "computed" if computed.created else "current",
        "books_version": computed.forecast.books_version,
    }
