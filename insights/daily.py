"""The daily insight's callers, all through one load → plan → write pipeline.

- ``run_batch``: the dispatcher's batches and run-now (``queue_today``): new insights only, so a
  batch run twice writes nothing twice.
- ``run_today``: ``POST …/coach/recommendations/generate/``, today's insight now, in-process.
- ``regenerate``: an admin's explicit, recorded replacement.
- ``books_changed``: today's insight re-scored when the books change after it was written.
"""

from __future__ import annotations

import gc
import logging
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from config.celery import TRANSIENT_ERRORS
from gateway.models import Tenant
from insights.models import Insight
from insights.pipeline import InsightPlan, Mode, WriteResult, load, plan, write
from insights.scheduling import Item

log = logging.getLogger(__name__)

# The result of a batch, as the tasks and the command report it.
BatchResult = WriteResult


def run_batch(
    items: Sequence[Item],
    *,
    task_id: str = "",
    at: datetime | None = None,
    mode: Mode = Mode.NEW,
    user: Any = None,
) -> WriteResult:
    """Compute and store the insights of ``items`` ((tenant id, local date) pairs).

    ``at`` is the instant the work was dispatched for (default: now); each tenant's next run is
    computed from it, so a replayed morning schedules the day after that morning.
    """
    items = list(dict.fromkeys(items))
    if not items:
        return WriteResult()
    now = timezone.now()
    if mode == Mode.NEW:
        # Most of a redelivered batch may be done already: skip those before loading them
        # (``write`` checks again under its lock).
        done = set(
            Insight.objects.filter(
                tenant_id__in={t for t, _ in items}, local_date__in={d for _, d in items}
            ).values_list("tenant_id", "local_date")
        )
        skipped = [item for item in items if item in done]
        items = [item for item in items if item not in done]
    else:
        skipped = []
    past = mode == Mode.HISTORY  # a past day: its books as they stood, a score and no advice
    with _collector_paused():
        plans = plan(load(items, at=at or now, as_they_stood=past), advise=not past)
        try:
            result = write(plans, mode, task_id=task_id, user=user, now=now)
        except TRANSIENT_ERRORS:
            raise  # Postgres or Redis away for a moment: the task retries the whole batch
        except Exception:
            if len(plans) == 1:
                raise
            log.exception("batch write failed task=%s: writing tenant by tenant", task_id)
            result = _write_each(plans, mode, task_id=task_id, user=user, now=now)
    result.skipped[:0] = skipped
    return result


def _write_each(
    plans: Sequence[InsightPlan], mode: Mode, *, task_id: str, user: Any, now: datetime
) -> WriteResult:
    """Write tenant by tenant after the batch failed as one, so that a tenant whose rows the
    database refuses fails alone, recorded, and the others get their insight."""
    total = WriteResult()
    for one in plans:
        try:
            part = write([one], mode, task_id=task_id, user=user, now=now)
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:
            failed = InsightPlan(
                one.tenant,
                one.day,
                error=f"write: {type(exc).__name__}: {exc}"[:2000],
                traceback=traceback.format_exc()[-8000:],
            )
            part = write([failed], mode, task_id=task_id, user=user, now=now)
        total.merge(part)
    return total


def run_today(tenant: Tenant) -> tuple[Insight | None, WriteResult]:
    """The tenant's insight for its local today, written now if it does not exist yet (None
    when it could not be computed: the failure is recorded)."""
    day = tenant.local_today()
    result = run_batch([(tenant.pk, day)])
    return Insight.objects.filter(tenant=tenant, local_date=day).first(), result


def regenerate(tenant: Tenant, day: date, *, user: Any = None, task_id: str = "") -> Insight | None:
    """Replace a tenant's insight for ``day`` explicitly (or write it), recorded on the insight;
    None when it could not be computed (the failure is recorded)."""
    result = run_batch([(tenant.pk, day)], mode=Mode.REPLACE, user=user, task_id=task_id)
    log.info(
        "insight regenerated tenant=%s date=%s by=%s failed=%d",
        tenant.pk,
        day,
        getattr(user, "pk", None),
        len(result.failed),
    )
    return Insight.objects.filter(tenant=tenant, local_date=day).first()


def books_changed(tenant: Tenant) -> WriteResult | None:
    """Re-score today's insight after the books changed, when there is one (otherwise the
    morning run will use the new books): a business that adds its books at 10:00 does not stay
    on "no data" until tomorrow."""
    day = tenant.local_today()
    if not Insight.objects.filter(tenant=tenant, local_date=day).exists():
        forecast_books(tenant)
        return None
    # The re-scored insight finds no forecast of the new books and asks for one after commit.
    return run_batch([(tenant.pk, day)], mode=Mode.REPLACE)


def forecast_books(tenant: Tenant) -> None:
    """Compute the forecast of the tenant's books on the worker pool, once this commits."""
    from django.db import transaction

    from insights.tasks import compute_forecast  # the tasks import this module

    tenant_id = str(tenant.pk)
    transaction.on_commit(lambda: compute_forecast.delay(tenant_id), robust=True)


def forecast_changed(tenant: Tenant) -> WriteResult | None:
    """Today's insight re-read once a new forecast is stored (its cards' impact, the breach
    alert), when there is one; otherwise the morning run reads it."""
    day = tenant.local_today()
    insight = Insight.objects.filter(tenant=tenant, local_date=day).first()
    if insight is None:
        return None
    return run_batch([(tenant.pk, day)], mode=Mode.REPLACE)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch runs.

    Everything a batch builds lives until it ends, so the collector's full passes (triggered by
    the many objects that survive) free little yet cost about a sixth of a batch's CPU;
    reference counting frees the batch when it ends, and the collector resumes after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
