"""The OpenAPI schema and the API's answers agree (issue 11).

Every test's responses are checked by the autouse fixture in tests/conftest.py; these tests name
the five answers the schema used to get wrong, and show that the checker itself catches a
mismatch (a checker that passes everything would prove nothing).
"""

from __future__ import annotations

import json
import re

import pytest
from django.http import HttpResponse

from insights.metrics import MONEY_FIELDS
from tests.coach.conftest import generate
from tests.schema_check import SchemaMismatch, check_response

pytestmark = pytest.mark.django_db


def _checked(response, method: str, path: str):
    check_response(method, path, response)  # raises SchemaMismatch on a disagreement
    return response


def test_a_plans_tasks_are_a_plain_list_and_documented_so(api, tenant):
    plans = f"/v1/tenants/{tenant.id}/coach/action-plans/"
    plan = api.post(plans, {"title": "Collect", "tasks": [{"title": "Call Acme"}]}).json()
    url = f"{plans}{plan['id']}/tasks/"

    response = _checked(api.get(url), "GET", url)

    assert [task["title"] for task in response.json()] == ["Call Acme"]
    reorder = f"{url}reorder/"
    _checked(api.post(reorder, {"order": [plan["tasks"][0]["id"]]}), "POST", reorder)


def test_a_conversation_not_started_has_null_id_and_timestamps(api, tenant):
    recommendation = generate(api, tenant)[0]
    url = f"/v1/tenants/{tenant.id}/coach/recommendations/{recommendation.pk}/conversation/"

    response = _checked(api.get(url), "GET", url)

    assert response.json() == {
        "id": None,
        "recommendation": recommendation.pk,
        "created_at": None,
        "updated_at": None,
        "messages": [],
    }


def test_a_periods_month_is_documented_as_year_and_month(api, tenant):
    url = f"/v1/tenants/{tenant.id}/financials/"
    posted = _checked(api.post(url, [{"month": "2024-11", "revenue": 5}]), "POST", url)
    listed = _checked(api.get(url), "GET", url)

    assert posted.json()["periods"][0]["month"] == listed.json()["results"][0]["month"] == "2024-11"


def test_quiet_hours_are_documented_as_local_wall_clock_times(api, tenant):
    url = f"/v1/tenants/{tenant.id}/notifications/preferences/"
    body = {"quiet_start": "22:00", "quiet_end": "07:30"}

    response = _checked(api.patch(url, body), "PATCH", url)

    assert (response.json()["quiet_start"], response.json()["quiet_end"]) == (
        "22:00:00",
        "07:30:00",
    )
    _checked(api.get(url), "GET", url)


def test_a_member_without_an_email_matches_the_schema(api, tenant, alice):
    assert alice.email == ""
    url = f"/v1/tenants/{tenant.id}/members/"
    _checked(api.get(url), "GET", url)
    _checked(api.get("/v1/me/"), "GET", "/v1/me/")


def _json(status: int, body) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


ME = {"id": 1, "username": "a", "email": "", "first_name": "", "last_name": ""}
ME |= {"is_staff": False, "memberships": []}
PERIOD = {"month": "2024-11", **dict.fromkeys(MONEY_FIELDS), "updated_at": "2024-11-02T10:00:00Z"}
PAGE = {"count": 1, "next": None, "previous": None}
QUIET = {"live_kinds": [], "quiet_start": "22:00:00", "quiet_end": "07:00:00"}


@pytest.mark.parametrize(
    ("method", "path", "response", "fragment"),
    [
        ("GET", "/v1/me/", _json(200, ME), None),
        ("GET", "/v1/me/", _json(200, ME | {"id": "1"}), "at id: '1' is not of type 'integer'"),
        ("GET", "/v1/me/", _json(200, {**ME, "extra": 1}), "'extra' was unexpected"),
        ("GET", "/v1/tenants/{t}/financials/", _json(200, PAGE | {"results": [PERIOD]}), None),
        (
            "GET",
            "/v1/tenants/{t}/financials/",
            _json(200, PAGE | {"results": [PERIOD | {"month": "2024-11-01"}]}),
            "at results/0/month",
        ),
        (
            "GET",
            "/v1/tenants/{t}/financials/",
            _json(200, PAGE | {"results": [PERIOD | {"updated_at": "2024-11-02 10:00"}]}),
            "is not a 'date-time'",
        ),
        ("GET", "/v1/tenants/{t}/notifications/preferences", _json(200, QUIET), None),
        (
            "GET",
            "/v1/tenants/{t}/notifications/preferences/",
            _json(200, QUIET | {"quiet_end": "7pm"}),
            "at quiet_end",
        ),
        ("POST", "/v1/tenants/{t}/coach/action-plans/", _json(200, {}), "documents 201"),
        ("GET", "/v1/nowhere/", _json(200, {}), "not documented"),
    ],
)
def test_the_checker_catches_a_mismatch(tenant, method, path, response, fragment):
    if fragment is None:  # the good body next to each bad one: it passes
        check_response(method, path.format(t=tenant.id), response)
        return
    with pytest.raises(SchemaMismatch, match=re.escape(fragment)):
        check_response(method, path.format(t=tenant.id), response)


def test_the_checker_leaves_errors_and_other_paths_alone(tenant):
    check_response("GET", f"/v1/tenants/{tenant.id}/financials/", _json(400, {"detail": "x"}))
    check_response("GET", "/healthz", _json(200, {"anything": True}))
