"""``/metrics``: the Prometheus text a scraper reads, with figures that move with the work."""

from __future__ import annotations

from datetime import date

import pytest

from config.celery import app
from insights import daily
from insights.tasks import encode, run_insight_batch

pytestmark = pytest.mark.django_db(transaction=True)


def _samples(client) -> dict[str, float]:  # type: ignore[no-untyped-def]
    text = client.get("/metrics").content.decode()
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def test_it_counts_insights_and_shows_queue_depths(anon, make_tenant, books):
    tenant = make_tenant()
    books(tenant, "cash_crunch")
    before = _samples(anon)

    daily.run_batch([(tenant.pk, date(2026, 2, 10))])
    run_insight_batch.apply_async(args=[encode([(tenant.pk, date(2026, 2, 11))])])  # no worker
    try:
        after = _samples(anon)
    finally:
        with app.connection_for_write() as conn:  # leave no task behind for later tests' workers
            app.amqp.queues["insights"].bind(conn.default_channel).purge()

    assert after["coach_insights_generated_total"] - before["coach_insights_generated_total"] == 1
    assert after["coach_coach_alerts_total"] - before["coach_coach_alerts_total"] == 1
    assert after['coach_queue_depth{queue="insights"}'] >= 1
    assert after['coach_queue_depth{queue="llm"}'] == 0
    assert "coach_websocket_connections" in after
    assert "coach_dispatcher_lag_seconds" in after
