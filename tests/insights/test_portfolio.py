"""The portfolio: every business of the caller on one page, worst first, with the change since
the previous insight, the top open alert and the forecast's breach; nobody else's business."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gateway.models import Role
from gateway.services import create_tenant
from insights.daily import run_batch
from insights.demo_data import story_periods
from insights.financials import upsert_periods
from insights.models import Insight
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LAST_MONTH = date(2026, 10, 1)


def books(tenant, story: str) -> None:
    upsert_periods(tenant, story_periods(story, LAST_MONTH))
    today = tenant.local_today()
    run_batch([(tenant.pk, today - timedelta(days=1))])
    run_batch([(tenant.pk, today)])


def test_the_portfolio_lists_every_business_worst_first(api, alice, tenant, other_tenant):
    healthy = create_tenant(alice, name="Zeta Health", timezone="Asia/Tokyo")
    books(tenant, "cash_crunch")
    books(healthy, "healthy")
    empty = create_tenant(alice, name="Aardvark New", timezone="UTC")
    books(other_tenant, "cash_crunch")  # Bob's: never on Alice's page

    response = api.get("/v1/portfolio/")

    assert response.status_code == 200, response.json()
    rows = response.json()
    assert [r["name"] for r in rows] == ["Alice Bakery", "Zeta Health", "Aardvark New"]
    crunch, good, new = rows
    assert crunch["score"] < good["score"]
    assert crunch["band"]
    assert crunch["role"] == "owner"
    assert crunch["change"] is not None  # two insights: a change since the previous one
    assert crunch["top_alert"]["priority"] == "critical"
    assert crunch["open_recommendations"] >= 1
    assert new["score"] is None
    assert new["top_alert"] is None
    assert str(empty.pk) == new["tenant_id"]
    # each business's stage, as its latest insight stored it; none without an insight
    for row, business in ((crunch, tenant), (good, healthy)):
        stored = Insight.objects.filter(tenant=business).latest("local_date").stage
        assert stored
        assert row["stage"] == stored
    assert new["stage"] is None


def test_a_snoozed_card_is_not_the_top_alert(api, alice, tenant):
    books(tenant, "cash_crunch")
    top = api.get("/v1/portfolio/").json()[0]["top_alert"]
    api.post(
        f"/v1/tenants/{tenant.pk}/coach/recommendations/{top['id']}/snooze/", {"period": "week"}
    )

    after = api.get("/v1/portfolio/").json()[0]["top_alert"]

    assert after is None or after["id"] != top["id"]


def test_an_accountant_sees_the_clients_they_belong_to(tenant, other_tenant, make_user, add_member):
    accountant = make_user("acc")
    add_member(tenant, accountant, Role.ACCOUNTANT)
    add_member(other_tenant, accountant, Role.ACCOUNTANT)

    rows = client_for(accountant).get("/v1/portfolio/").json()

    assert sorted(r["name"] for r in rows) == ["Alice Bakery", "Bob Bikes"]
    assert {r["role"] for r in rows} == {"accountant"}


def test_the_schedule_moves_when_the_insight_hour_changes(api, tenant):
    url = f"/v1/tenants/{tenant.pk}/insights/schedule/"
    before = api.get(url).json()

    api.patch(f"/v1/tenants/{tenant.pk}/", {"insight_hour": (tenant.insight_hour + 3) % 24})
    after = api.get(url).json()

    assert before["next_run_at"] is not None
    assert after["insight_hour"] == (tenant.insight_hour + 3) % 24
    assert after["next_run_at"] != before["next_run_at"]
