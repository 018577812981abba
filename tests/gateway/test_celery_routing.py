"""Each queue's tasks travel through the real broker to a real worker process."""

from __future__ import annotations

import pytest

from tests import celery_probe
from tests.processes import celery_worker

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def worker():
    with celery_worker(include="tests.celery_probe") as (_, node):
        yield node


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        (celery_probe.default_probe, "default"),
        (celery_probe.insights_probe, "insights"),
        (celery_probe.notifications_probe, "notifications"),
        (celery_probe.llm_probe, "llm"),
    ],
)
def test_tasks_are_routed_to_their_apps_queue(worker, task, queue):
    result = task.apply_async()

    outcome = result.get(timeout=30)

    assert outcome == {"queue": queue, "worker": worker}


def test_a_worker_ignores_queues_it_was_not_given(worker):
    # given a worker that consumes only the llm queue
    with celery_worker(queues="llm", include="tests.celery_probe") as _:
        # when tasks for llm and for insights are sent
        llm = celery_probe.llm_probe.apply_async()
        insights = celery_probe.insights_probe.apply_async()

        # then each lands on a worker consuming its queue
        assert llm.get(timeout=30)["queue"] == "llm"
        assert insights.get(timeout=30) == {"queue": "insights", "worker": worker}
