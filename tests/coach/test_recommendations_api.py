"""Recommendations through the API: generated from real books, filtered, moved, detailed, scoped."""

from __future__ import annotations

from datetime import date

import pytest

from coach.models import Recommendation
from gateway.models import Role
from insights.demo_data import story_periods
from insights.financials import upsert_periods
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LAST_MONTH = date(2026, 10, 1)


def _books(tenant, story: str) -> None:
    upsert_periods(tenant, story_periods(story, LAST_MONTH))


def _generate(api, tenant):
    return api.post(f"/v1/tenants/{tenant.id}/coach/recommendations/generate/")


def _recs(tenant) -> str:
    return f"/v1/tenants/{tenant.id}/coach/recommendations/"


def test_generate_scores_a_cash_crunch_and_puts_cash_first(api, tenant):
    # given a business burning through its last cash
    _books(tenant, "cash_crunch")

    # when Coach is asked for advice now
    response = _generate(api, tenant)

    # then the score is low, and the top recommendation is a critical one about cash
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["health"]["overall"] < 40
    assert body["health"]["band"] == "critical"
    top = body["recommendations"][0]
    assert (top["category"], top["priority"]) == ("cash_flow", "critical")
    assert "$" in top["body"]
    assert body["issued"] == Recommendation.objects.filter(tenant=tenant).count() > 0


def test_generate_twice_the_same_day_issues_nothing_twice(api, tenant):
    _books(tenant, "cash_crunch")
    first = _generate(api, tenant).json()

    second = _generate(api, tenant).json()

    assert first["issued"] > 0
    assert second["issued"] == 0
    assert Recommendation.objects.filter(tenant=tenant).count() == first["issued"]


def test_generate_without_books_says_so_and_invents_nothing(api, tenant):
    response = _generate(api, tenant)

    body = response.json()
    assert response.status_code == 201
    assert body["health"]["overall"] is None
    assert body["recommendations"] == []
    assert "No financial data" in body["message"]
    assert not Recommendation.objects.exists()


def test_a_healthy_business_gets_no_critical_advice(api, tenant):
    _books(tenant, "healthy")

    body = _generate(api, tenant).json()

    assert body["health"]["band"] == "strong"
    assert all(rec["priority"] != "critical" for rec in body["recommendations"])


def test_list_filters_by_status_category_and_priority(api, tenant):
    _books(tenant, "cash_crunch")
    _generate(api, tenant)
    every = api.get(_recs(tenant)).json()["results"]

    critical = api.get(_recs(tenant), {"priority": "critical"}).json()["results"]
    cash = api.get(_recs(tenant), {"category": "cash_flow,revenue"}).json()["results"]
    dismissed = api.get(_recs(tenant), {"status": "dismissed"}).json()["results"]

    assert len(every) >= 3
    assert critical
    assert all(rec["priority"] == "critical" for rec in critical)
    assert cash
    assert all(rec["category"] in {"cash_flow", "revenue"} for rec in cash)
    assert dismissed == []


def test_list_paginates(api, tenant):
    _books(tenant, "cash_crunch")
    issued = _generate(api, tenant).json()["issued"]

    page = api.get(_recs(tenant), {"limit": 2, "offset": 1}).json()

    assert page["count"] == issued
    assert len(page["results"]) == 2


def test_an_unknown_filter_value_is_a_400_naming_it(api, tenant):
    response = api.get(_recs(tenant), {"priority": "urgent"})

    assert response.status_code == 400
    assert response.json()["detail"].startswith("priority: 'urgent' is not one of")


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"status": "bogus"}, "status: 'bogus' is not one of new, seen, acted, dismissed"),
        ({"status": "new,bogus"}, "status: 'bogus' is not one of new, seen, acted, dismissed"),
        ({"category": "cash"}, "category: 'cash' is not one of cash_flow, inventory, revenue, "),
        ({"priority": ["high", "²"]}, "priority: '²' is not one of critical, high, medium, low"),
    ],
)
def test_a_bad_filter_value_is_a_400_listing_the_allowed_ones(api, tenant, params, detail):
    response = api.get(_recs(tenant), params)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)


def test_a_filter_takes_repeated_and_comma_separated_values_alike(api, tenant):
    _books(tenant, "cash_crunch")
    _generate(api, tenant)
    every = api.get(_recs(tenant)).json()["results"]
    dismissed_id = every[0]["id"]
    api.patch(f"{_recs(tenant)}{dismissed_id}/", {"status": "dismissed"})

    repeated = api.get(f"{_recs(tenant)}?status=dismissed&status=").json()["results"]
    both = api.get(f"{_recs(tenant)}?status=new&status=dismissed").json()["results"]
    comma = api.get(_recs(tenant), {"status": "new,dismissed"}).json()["results"]
    blank = api.get(_recs(tenant), {"status": ""}).json()["results"]

    assert [rec["id"] for rec in repeated] == [dismissed_id]
    assert {rec["id"] for rec in both} == {rec["id"] for rec in every}
    assert comma == both
    assert [rec["id"] for rec in blank] == [rec["id"] for rec in every]


def test_status_moves_only_along_valid_transitions(api, tenant):
    _books(tenant, "cash_crunch")
    rid = _generate(api, tenant).json()["recommendations"][0]["id"]
    url = f"{_recs(tenant)}{rid}/"

    seen = api.patch(url, {"status": "seen"})
    acted = api.patch(url, {"status": "acted"})
    back = api.patch(url, {"status": "new"})
    garbage = api.patch(url, {"status": "archived"})

    assert seen.status_code == 200
    assert seen.json()["seen_at"]
    assert acted.status_code == 200
    assert acted.json()["acted_at"]
    assert back.status_code == 400
    assert back.json()["detail"] == "status: cannot go from acted to new (allowed: none)"
    assert garbage.status_code == 400
    assert Recommendation.objects.get(pk=rid).status == "acted"


def test_a_dismissal_can_be_undone(api, tenant):
    _books(tenant, "cash_crunch")
    rid = _generate(api, tenant).json()["recommendations"][0]["id"]
    url = f"{_recs(tenant)}{rid}/"

    api.patch(url, {"status": "dismissed"})
    restored = api.patch(url, {"status": "seen"})

    assert restored.json()["status"] == "seen"


def test_details_give_four_cards_a_trend_and_the_cash_flow_table(api, tenant):
    _books(tenant, "cash_crunch")
    top = _generate(api, tenant).json()["recommendations"][0]

    details = api.get(f"{_recs(tenant)}{top['id']}/details/").json()

    assert len(details["key_metrics"]) == 4
    runway = next(card for card in details["key_metrics"] if card["key"] == "runway_days")
    assert runway["unit"] == "days"
    assert runway["formatted"].endswith("days")
    assert 0 < runway["value"] < 45
    assert len(details["trend"]["months"]) == 24
    assert details["trend"]["months"][-1] == "2026-10-01"
    for values in details["trend"]["series"].values():
        assert len(values) == 24
    assert len(details["cash_flow"]) == 24
    last = details["cash_flow"][-1]
    assert last["month"] == "2026-10-01"
    assert last["net"] == pytest.approx(last["inflow"] - last["outflow"], abs=0.05)


def test_a_viewer_can_read_but_not_change_status(api, tenant, make_user, add_member):
    _books(tenant, "cash_crunch")
    rid = _generate(api, tenant).json()["recommendations"][0]["id"]
    viewer = make_user()
    add_member(tenant, viewer, Role.VIEWER)
    client = client_for(viewer)

    assert client.get(f"{_recs(tenant)}{rid}/").status_code == 200
    assert client.patch(f"{_recs(tenant)}{rid}/", {"status": "seen"}).status_code == 403
    assert (
        client.post(f"/v1/tenants/{tenant.id}/coach/recommendations/generate/").status_code == 403
    )


def test_another_tenants_recommendations_answer_404(api, other_tenant, bob):
    _books(other_tenant, "cash_crunch")
    rid = _generate(client_for(bob), other_tenant).json()["recommendations"][0]["id"]
    base = _recs(other_tenant)

    assert api.get(base).status_code == 404
    assert api.get(f"{base}{rid}/").status_code == 404
    assert api.patch(f"{base}{rid}/", {"status": "dismissed"}).status_code == 404
    assert api.get(f"{base}{rid}/details/").status_code == 404
    assert _generate(api, other_tenant).status_code == 404
    assert Recommendation.objects.get(pk=rid).status == "new"


def test_a_recommendation_id_of_another_tenant_under_my_tenant_is_404(
    api, tenant, other_tenant, bob
):
    _books(other_tenant, "cash_crunch")
    rid = _generate(client_for(bob), other_tenant).json()["recommendations"][0]["id"]

    assert api.get(f"{_recs(tenant)}{rid}/").status_code == 404
    assert api.get(f"{_recs(tenant)}{rid}/details/").status_code == 404


def test_the_catalog_lists_25_templates_in_six_categories(api):
    body = api.get("/v1/coach/catalog/").json()

    assert body["count"] >= 25
    assert {row["category"] for row in body["results"]} == {
        "cash_flow",
        "inventory",
        "revenue",
        "profitability",
        "operations",
        "growth",
    }
    assert all(row["requires"] and row["description"] for row in body["results"])
