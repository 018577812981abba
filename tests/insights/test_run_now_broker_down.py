"""Run-now with the broker down while the request commits: the request answers what it
committed (the intent, "pending"), a retry never claims "queued" for a task that was never
published, and the intent is published once the broker is back (a retry, or the sweep)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from insights import dispatch
from insights.models import Insight, InsightSchedule
from tests.broker import broker_down
from tests.processes import celery_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait_for_insight(tenant, seconds: float = 60) -> Insight:
    deadline = time.monotonic() + seconds
    while (found := Insight.objects.filter(tenant=tenant).first()) is None:
        assert time.monotonic() < deadline, "the run-now intent was never carried out"
        time.sleep(0.2)
    return found


def test_run_now_with_the_broker_down_answers_pending_and_the_sweep_publishes_it(
    api, tenant, books
):
    books(tenant)
    url = f"/v1/tenants/{tenant.pk}/insights/run/"

    # when Alice asks for today's insight while the broker is down, and asks again
    with broker_down():
        first = api.post(url)
        again = api.post(url)

    # then both answer what was committed: the intent, not yet published (never a 500)
    assert first.status_code == 202, first.content
    assert first.json()["status"] == "pending"
    assert again.status_code == 202
    assert again.json() == first.json()
    schedule = InsightSchedule.objects.get(tenant=tenant)
    assert schedule.task_id == first.json()["task_id"]
    assert schedule.dispatched_at is None

    # when the broker is back and the sweep runs (a worker on the insights queue listening)
    with celery_worker("insights"):
        later = timezone.now() + dispatch.PUBLISH_GRACE
        assert dispatch.publish_unpublished_runs(later) == 1
        insight = _wait_for_insight(tenant)

    # then the intent was carried out under the task id the request answered with
    assert insight.task_id == first.json()["task_id"]
    assert api.post(url).json()["status"] == "done"
    assert dispatch.publish_unpublished_runs(later) == 0


def test_a_retry_after_the_broker_is_back_publishes_the_same_intent(api, tenant, books):
    books(tenant)
    url = f"/v1/tenants/{tenant.pk}/insights/run/"
    with broker_down():
        pending = api.post(url).json()

    # when Alice retries once the broker is back
    retried = api.post(url)

    # then the retry publishes the recorded intent (same task id) and says so
    assert retried.status_code == 202
    assert retried.json() == {**pending, "status": "queued"}
    assert InsightSchedule.objects.get(tenant=tenant).dispatched_at is not None
    # and a further call while it is queued answers the same, publishing nothing new
    assert api.post(url).json() == retried.json()
    with celery_worker("insights"):
        assert _wait_for_insight(tenant).task_id == pending["task_id"]


def test_an_intent_whose_lease_ran_out_is_left_to_the_dispatcher(api, tenant, books):
    books(tenant)
    with broker_down():
        api.post(f"/v1/tenants/{tenant.pk}/insights/run/")
    lease = timedelta(seconds=dispatch.settings.INSIGHT_LEASE_SECONDS)

    # the sweep publishes only intents whose lease still runs; after it, the tenant is due
    assert dispatch.publish_unpublished_runs(timezone.now() + lease + timedelta(seconds=1)) == 0
    due = InsightSchedule.objects.filter(next_run_at__lte=timezone.now() + lease)
    assert due.filter(tenant=tenant).exists()
