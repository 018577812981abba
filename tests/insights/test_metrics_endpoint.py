"""``/metrics``: the Prometheus text a scraper reads, with figures that move with the work."""

from __future__ import annotations

from datetime import date

import pytest

from config.celery import app
from insights import daily
from insights.tasks import encode, run_insight_batch

pytestmark = pytest.mark.django_db(transaction=True)


def _samples(client, **headers: str) -> dict[str, float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    text = response.content.decode()
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
    run_insight_batch.apply_async(args=(encode([(tenant.pk, date(2026, 2, 11))]),))  # no worker
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


KEY = "scrape-8f3a1c9e0b7d4e62a5f1"


def test_with_a_key_only_its_bearer_token_reads_the_figures(anon, settings):
    settings.METRICS_KEY = KEY

    missing = anon.get("/metrics")
    wrong = anon.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {KEY}x")
    prefix = anon.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {KEY[:-1]}")
    other_scheme = anon.get("/metrics", HTTP_AUTHORIZATION=f"Token {KEY}")
    bare = anon.get("/metrics", HTTP_AUTHORIZATION=KEY)
    right = anon.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {KEY}")

    for refused in (missing, wrong, prefix, other_scheme, bare):
        assert refused.status_code == 401
        assert refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"coach_" not in refused.content
    assert right.status_code == 200
    assert "coach_insights_generated_total" in _samples(anon, HTTP_AUTHORIZATION=f"Bearer {KEY}")


def test_production_without_a_key_refuses_everyone(anon, settings):
    settings.IS_PRODUCTION = True
    settings.METRICS_KEY = ""

    response = anon.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")

    assert response.status_code == 403
    assert b"METRICS_KEY" in response.content


def test_production_with_a_key_serves_its_scraper(anon, settings):
    settings.IS_PRODUCTION = True
    settings.METRICS_KEY = KEY

    assert anon.get("/metrics").status_code == 401
    assert anon.get("/metrics", HTTP_AUTHORIZATION=f"bearer {KEY}").status_code == 200


def test_development_without_a_key_is_open(anon, settings):
    settings.IS_PRODUCTION = False
    settings.METRICS_KEY = ""

    assert anon.get("/metrics").status_code == 200
