"""A change of books recomputes that tenant's forecast on a real worker, and nothing else."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from insights.forecast.models import Forecast
from insights.forecast.store import compute
from insights.models import Insight
from notifications.models import Notification
from tests.processes import celery_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_change_of_books_recomputes_the_forecast_and_nothing_else(
    api, tenant, other_tenant, books
):
    # given two businesses whose forecasts are stored
    books(tenant, "cash_crunch")
    books(other_tenant, "healthy")
    before = compute(tenant).forecast
    others = compute(other_tenant).forecast
    assert before is not None
    assert others is not None

    with celery_worker("insights"):
        # when one of them changes a month of its books through the API
        response = api.post(
            f"/v1/tenants/{tenant.pk}/financials/",
            {"periods": [{"month": "2026-01", "cash_balance": "25000.00"}]},
            format="json",
        )
        assert response.status_code == 200

        # then the worker stores the forecast of the new books
        deadline = time.monotonic() + 90
        while Forecast.objects.filter(tenant=tenant).count() < 2:
            assert time.monotonic() < deadline, "no forecast of the new books"
            time.sleep(0.2)
        time.sleep(1.0)  # anything else the change caused would have happened by now

    latest = Forecast.objects.filter(tenant=tenant).order_by("-computed_at").first()
    assert latest is not None
    assert latest.books_version != before.books_version
    assert Decimal(latest.body["weeks"][0]["p50"]) != Decimal(before.body["weeks"][0]["p50"])
    # and nothing else: one new forecast, the other business untouched, no insight written,
    # nobody notified
    assert Forecast.objects.filter(tenant=tenant).count() == 2
    assert list(Forecast.objects.filter(tenant=other_tenant)) == [others]
    assert not Insight.objects.exists()
    assert not Notification.objects.exists()
