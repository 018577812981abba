"""Exactly once under real concurrency: two dispatchers at once, and a worker killed mid-batch."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from celery.result import AsyncResult
from django.db import connection

from coach.models import Recommendation
from insights import dispatch
from insights.demo_data import story_periods
from insights.models import FinancialPeriod, Insight, InsightSchedule
from insights.tasks import encode, run_insight_batch
from tests.processes import ROOT, celery_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _tenants_with_books(make_tenant, count: int) -> list:
    tenants = [make_tenant("Asia/Kolkata", 6) for _ in range(count)]
    periods = story_periods("cash_crunch", date(2026, 1, 1))
    FinancialPeriod.objects.bulk_create(
        [FinancialPeriod(tenant=t, **period) for t in tenants for period in periods]
    )
    return tenants


def test_concurrent_dispatchers_claim_each_tenant_once(make_tenant):
    # given 200 tenants due at the same instant
    tenants = [make_tenant("Asia/Kolkata", 6) for _ in range(200)]
    InsightSchedule.objects.update(next_run_at=datetime(2026, 2, 10, tzinfo=UTC))
    at = datetime(2026, 2, 10, 1, tzinfo=UTC)
    claimed: list[list] = [[], []]
    barrier = threading.Barrier(2)

    def beat(index: int) -> None:
        try:
            barrier.wait()
            dispatch.dispatch_due(
                at, publish=lambda items, _: claimed[index].extend(items), batch_size=7
            )
        finally:
            connection.close()

    # when two dispatchers (a duplicated Beat) run at once, each in its own connection
    threads = [threading.Thread(target=beat, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then every tenant was claimed exactly once between them
    everything = claimed[0] + claimed[1]
    assert sorted(t for t, _ in everything) == sorted(t.pk for t in tenants)
    assert {day for _, day in everything} == {date(2026, 2, 10)}


def _pool_children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry.name))
    return children


@pytest.mark.services
def test_a_batch_whose_worker_process_is_killed_is_redone_exactly_once(make_tenant):
    # given 150 tenants with books and a real worker (prefork, one child) on the real broker
    tenants = _tenants_with_books(make_tenant, 150)
    items = [(t.pk, date(2026, 2, 10)) for t in tenants]
    with celery_worker("insights", pool="prefork", concurrency=1) as (worker, node):
        # when the batch starts and its pool process is killed with SIGKILL mid-task
        result = run_insight_batch.apply_async(args=(encode(items), "2026-02-10T01:00:00+00:00"))
        deadline = time.monotonic() + 60
        while AsyncResult(result.id).state != "STARTED":
            assert time.monotonic() < deadline, "the batch never started"
            time.sleep(0.01)
        for child in _pool_children(worker.pid):
            os.kill(child, signal.SIGKILL)

        # then the batch is re-queued, a new pool process redoes it, and it completes
        deadline = time.monotonic() + 120
        log_path = ROOT / f".worker-{node.split('@')[0]}.log"
        while Insight.objects.count() < len(tenants):
            assert time.monotonic() < deadline, f"not redone:\n{log_path.read_text()[-4000:]}"
            time.sleep(0.2)
        time.sleep(1)  # give a wrongly doubled run the chance to show itself
        log = log_path.read_text()

    # the kill hit the batch while it ran (the pool reports the job lost) ...
    assert "WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL)" in log
    assert Insight.objects.count() == len(tenants)
    assert Insight.objects.values("tenant_id").distinct().count() == len(tenants)
    # nothing half-written by the killed attempt: every recommendation belongs to an insight
    linked = Insight.recommendations.through.objects.count()
    assert Recommendation.objects.count() == linked > 0
