"""Fixtures for the daily insight: books, and replaying a morning with the dispatcher."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from gateway.services import create_tenant
from insights import daily, dispatch
from insights.demo_data import story_periods
from insights.financials import upsert_periods
from tests.notifications.receivers import http_receiver, smtp_server  # noqa: F401 - fixtures


@pytest.fixture
def books():
    def give(tenant, story: str = "cash_crunch", last_month: date = date(2026, 1, 1)) -> None:
        upsert_periods(tenant, story_periods(story, last_month))

    return give


@pytest.fixture
def make_tenant(alice):
    counter = iter(range(1, 1000))

    def make(zone: str = "America/New_York", hour: int = 6, **fields: object):
        return create_tenant(
            alice, name=f"Tenant {next(counter)}", timezone=zone, insight_hour=hour, **fields
        )

    return make


@pytest.fixture
def replay(django_capture_on_commit_callbacks):
    """Run one dispatcher pass at an instant, with the clock frozen there, and the batches it
    publishes, here and now."""

    def run(at: datetime) -> list[tuple]:
        published: list[tuple] = []

        def publish(items, when):
            published.extend(items)
            daily.run_batch(items, at=when)

        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            dispatch.dispatch_due(publish=publish)
        return published

    return run
