"""A task for the broker-loss test's worker: it holds its message unacknowledged a while."""

from __future__ import annotations

import time

from config.celery import app


@app.task(name="tests.broker_tasks.sleepy")
def sleepy(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"
