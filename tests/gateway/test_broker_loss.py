"""A worker survives losing Redis while a task is unacknowledged (docs/kombu-restore-unacked.md):
Celery 5.7.0 with kombu's Redis transport exited with an ``AttributeError`` in
``restore_unacked`` when Redis was still down at the reconnect; the guard keeps it running."""

from __future__ import annotations

import time
from typing import Any

import pytest
from celery.result import AsyncResult

from config.celery import app
from tests.broker import private_redis, worker_on_broker
from tests.broker_tasks import sleepy

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def _send(broker_url: str, seconds: float) -> AsyncResult:
    task: Any = sleepy  # apply_async takes a connection; the stubs do not say so
    with app.connection_for_write(broker_url) as conn:
        return task.apply_async((seconds,), connection=conn, queue="default")


def _wait_state(result: AsyncResult, states: set[str], seconds: float, log) -> None:
    deadline = time.monotonic() + seconds
    while result.state not in states:
        assert time.monotonic() < deadline, f"{result.state}:\n{log.read_text()[-3000:]}"
        time.sleep(0.1)


def test_a_worker_keeps_running_when_redis_dies_under_an_unacked_task():
    with (
        private_redis() as redis_server,
        worker_on_broker(redis_server.url, include="tests.broker_tasks") as (worker, log),
    ):
        # given a task running, its message unacknowledged (late acks), on a worker with two
        # pool processes like the Procfile's (with one, the bug did not show in 3 of 3 runs)
        running = _send(redis_server.url, 5)
        _wait_state(running, {"STARTED"}, 30, log)
        time.sleep(1)

        # when Redis is killed and comes back a second later (empty: it kept nothing)
        redis_server.restart(down_for=1.0)
        time.sleep(5)

        # then the worker is still running, reconnected, and takes new work
        assert worker.poll() is None, f"the worker exited:\n{log.read_text()[-3000:]}"
        after = _send(redis_server.url, 0)
        _wait_state(after, {"SUCCESS"}, 30, log)
        text = log.read_text()
    assert "Connection to broker lost" in text
    assert "Unrecoverable error" not in text
