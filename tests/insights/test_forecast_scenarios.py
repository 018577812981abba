"""What-if: POST …/forecast/scenarios/ answers the scenario beside the baseline, saves it by
name, lists it; bad input is a 400 naming the field, and nothing is saved."""

from __future__ import annotations

import pytest

from gateway.models import Role
from insights.forecast.models import ForecastScenario
from insights.forecast.store import compute
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/v1/tenants/{}/forecast/scenarios/"


def test_a_scenario_answers_beside_the_baseline_and_is_saved(api, tenant, books):
    books(tenant, "cash_crunch")
    stored = compute(tenant).forecast
    body = {
        "name": "Bridge loan",
        "changes": [
            {"kind": "loan", "date": "2026-02-15", "amount": "60000.00"},
            {"kind": "cost_cut", "date": "2026-03-01", "percent": 10},
            {"kind": "collect_days", "days": 20},
        ],
    }

    response = api.post(URL.format(tenant.pk), body, format="json")

    assert response.status_code == 201, response.json()
    answer = response.json()
    # the baseline is the stored forecast; the scenario is shaped like it
    assert answer["baseline"] == {**stored.body, "currency": "USD"}
    assert set(answer["scenario"]) == set(answer["baseline"])
    assert answer["name"] == "Bridge loan"
    assert answer["changes"][0] == {"kind": "loan", "date": "2026-02-15", "amount": "60000.00"}
    # a loan and a cost cut push the date cash runs out later (or past the horizon)
    base_zero = answer["baseline"]["cash_zero"]["p50"]
    scenario_zero = (answer["scenario"]["cash_zero"] or {}).get("p50")
    assert scenario_zero is None or scenario_zero > base_zero
    assert float(answer["scenario"]["months"][2]["p50"]) > float(
        answer["baseline"]["months"][2]["p50"]
    )

    # and it is listed, and answered again on today's books
    listed = api.get(URL.format(tenant.pk)).json()
    assert [s["name"] for s in listed["results"]] == ["Bridge loan"]
    again = api.get(URL.format(tenant.pk) + f"{answer['id']}/").json()
    assert again["scenario"] == answer["scenario"]


def test_saving_under_the_same_name_replaces_and_save_false_keeps_nothing(api, tenant, books):
    books(tenant, "healthy")
    change = [{"kind": "hire", "date": "2026-03-01", "amount": 5000}]

    api.post(URL.format(tenant.pk), {"name": "Hire", "changes": change}, format="json")
    api.post(
        URL.format(tenant.pk),
        {"name": "Hire", "changes": [{**change[0], "amount": 7000}]},
        format="json",
    )
    tried = api.post(
        URL.format(tenant.pk), {"name": "Try", "changes": change, "save": False}, format="json"
    )

    assert tried.status_code == 200
    assert tried.json()["id"] is None
    saved = ForecastScenario.objects.get(tenant=tenant)
    assert saved.name == "Hire"
    assert saved.changes[0]["amount"] == "7000.00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"changes": [{"kind": "hire", "amount": 1}]}, "name"),
        ({"name": "x", "changes": []}, "changes"),
        ({"name": "x", "changes": "loan"}, "changes"),
        ({"name": "x", "changes": [{"kind": "lottery", "amount": 1}]}, "changes[0].kind"),
        ({"name": "x", "changes": [{"kind": "hire"}]}, "changes[0].amount"),
        ({"name": "x", "changes": [{"kind": "hire", "amount": "1,50"}]}, "changes[0].amount"),
        ({"name": "x", "changes": [{"kind": "hire", "amount": -5}]}, "changes[0].amount"),
        ({"name": "x", "changes": [{"kind": "hire", "percent": 5}]}, "changes[0].percent"),
        ({"name": "x", "changes": [{"kind": "cost_cut", "percent": 120}]}, "changes[0].percent"),
        ({"name": "x", "changes": [{"kind": "cost_cut", "percent": "lots"}]}, "changes[0].percent"),
        ({"name": "x", "changes": [{"kind": "pay_days", "days": 9000}]}, "changes[0].days"),
        ({"name": "x", "changes": [{"kind": "loan", "amount": 5}]}, "changes[0].date"),
        (
            {"name": "x", "changes": [{"kind": "loan", "amount": 5, "date": "next week"}]},
            "changes[0].date",
        ),
        (
            {"name": "x", "changes": [{"kind": "loan", "amount": 5, "date": "2031-01-01"}]},
            "changes[0].date",
        ),
        (
            {
                "name": "x",
                "changes": [
                    {"kind": "collect_days", "days": 30},
                    {"kind": "revenue_growth", "percent": True},
                ],
            },
            "changes[1].percent",
        ),
        ({"name": "x", "changes": [{"kind": "hire", "amount": 5}], "colour": "red"}, "colour"),
        ({"name": "x", "changes": [{"kind": "hire", "amount": 5}], "save": "yes"}, "save"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(api, tenant, books, body, field):
    books(tenant, "healthy")

    response = api.post(URL.format(tenant.pk), body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["detail"].startswith(f"{field}:"), response.json()
    assert not ForecastScenario.objects.exists()


def test_a_scenario_without_books_is_a_400_saying_so(api, tenant):
    response = api.post(
        URL.format(tenant.pk),
        {"name": "x", "changes": [{"kind": "hire", "amount": 5}]},
        format="json",
    )

    assert response.status_code == 400
    assert "at least 3 consecutive months" in response.json()["detail"]


def test_viewers_read_scenarios_but_do_not_save_them(tenant, books, make_user, add_member):
    books(tenant, "healthy")
    viewer = make_user("vera")
    add_member(tenant, viewer, Role.VIEWER)
    client = client_for(viewer)

    assert client.get(URL.format(tenant.pk)).status_code == 200
    response = client.post(
        URL.format(tenant.pk),
        {"name": "x", "changes": [{"kind": "hire", "amount": 5}]},
        format="json",
    )
    assert response.status_code == 403


def test_another_tenants_scenarios_are_404(api, other_tenant, books):
    books(other_tenant, "healthy")

    assert api.get(URL.format(other_tenant.pk)).status_code == 404
    response = api.post(
        URL.format(other_tenant.pk),
        {"name": "x", "changes": [{"kind": "hire", "amount": 5}]},
        format="json",
    )
    assert response.status_code == 404
