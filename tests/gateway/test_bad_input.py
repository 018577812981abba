"""Bad input that used to answer 500: each answers 400 naming the field (issue 11).

Found by fuzzing every endpoint from the OpenAPI schema: numbers past Postgres' bigint, dates at
the end of the calendar, strings Postgres and UTF-8 refuse, and an OPTIONS request.
"""

from __future__ import annotations

import json

import pytest

from coach.models import ActionPlan, Recommendation
from gateway.models import Tenant
from tests.coach.conftest import generate

pytestmark = pytest.mark.django_db

HUGE = str(2**64)  # past a bigint: the database refuses it as a LIMIT or OFFSET


@pytest.fixture
def recommendation(api, tenant) -> Recommendation:
    return generate(api, tenant)[0]


def _lists(tenant: Tenant) -> list[str]:
    base = f"/v1/tenants/{tenant.id}"
    return [
        f"{base}/coach/recommendations/",
        f"{base}/coach/action-plans/",
        f"{base}/financials/",
        f"{base}/insights/",
        f"{base}/members/",
    ]


@pytest.mark.parametrize("param", ["limit", "offset"])
def test_a_page_size_or_offset_past_a_bigint_is_a_400_naming_it(api, tenant, recommendation, param):
    # every list has rows, so that the query reaches the database
    api.post(f"/v1/tenants/{tenant.id}/coach/action-plans/", {"recommendation": recommendation.pk})
    for url in _lists(tenant):
        assert api.get(url).json()["count"] >= 1, url
        response = api.get(url, {param: HUGE})
        assert response.status_code == 400, (url, response.content)
        assert response.json()["detail"].startswith(f"{param}:"), response.json()


@pytest.mark.parametrize("value", ["-1", "abc", "²", "1.5"])
def test_a_malformed_limit_or_offset_is_a_400_naming_it(api, tenant, value):
    url = f"/v1/tenants/{tenant.id}/coach/action-plans/"
    for param in ("limit", "offset"):
        response = api.get(url, {param: value})
        assert response.status_code == 400, (param, value, response.content)
        assert response.json()["detail"].startswith(f"{param}:"), response.json()


def test_pagination_still_pages(api, tenant, recommendation):
    url = f"/v1/tenants/{tenant.id}/coach/recommendations/"
    everything = api.get(url).json()
    page = api.get(url, {"limit": 1, "offset": 1}).json()
    assert page["count"] == everything["count"] >= 2
    assert [r["id"] for r in page["results"]] == [everything["results"][1]["id"]]
    # a limit above the maximum is capped, as before, not refused
    assert api.get(url, {"limit": 10_000}).status_code == 200


def test_a_plan_starting_at_the_end_of_the_calendar_is_a_400_naming_start_date(
    api, tenant, recommendation
):
    url = f"/v1/tenants/{tenant.id}/coach/action-plans/"
    response = api.post(url, {"recommendation": recommendation.pk, "start_date": "9999-12-31"})
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("start_date:"), response.json()
    assert not ActionPlan.objects.exists()
    recommendation.refresh_from_db()
    assert recommendation.status == "new"  # nothing half-written


def test_a_plan_of_its_own_may_still_end_on_the_last_day(api, tenant):
    url = f"/v1/tenants/{tenant.id}/coach/action-plans/"
    body = {"title": "Far", "start_date": "9999-12-30", "due_date": "9999-12-31"}
    response = api.post(url, body)
    assert response.status_code == 201, response.content


LONE = "\ud800"


def _post_json(api, method: str, url: str, text: str):
    """Send ``text`` as the raw body: the lone surrogate as a JSON escape, as a fuzzer sends it."""
    return getattr(api, method)(url, text, content_type="application/json")


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("patch", "coach/recommendations/{rid}/", {"status": LONE}, "status"),
        ("post", "coach/action-plans/", {"title": "t", "priority": LONE}, "priority"),
        ("post", "coach/action-plans/", {"title": LONE}, "title"),
        ("post", "coach/action-plans/", {"title": "t", "tasks": [{"title": LONE}]}, "tasks"),
        (
            "post",
            "coach/recommendations/{rid}/feedback",
            {"helpful": False, "reason": LONE},
            "reason",
        ),
        (
            "post",
            "coach/recommendations/{rid}/feedback",
            {"helpful": True, "comment": LONE},
            "comment",
        ),
        ("post", "coach/recommendations/{rid}/conversation/", {"content": LONE}, "content"),
        ("patch", "notifications/preferences", {"live_kinds": [LONE]}, "live_kinds"),
        ("patch", "", {"timezone": LONE}, "timezone"),
        ("patch", "", {"name": "x" + LONE}, "name"),
        ("patch", "", {LONE: 1}, LONE),
    ],
)
def test_a_lone_surrogate_is_a_400_naming_the_field(
    api, tenant, recommendation, method, path, body, field
):
    url = f"/v1/tenants/{tenant.id}/{path.format(rid=recommendation.pk)}"
    response = _post_json(api, method, url, json.dumps(body))  # json.dumps escapes it: \\ud800
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert detail.startswith(field.replace(LONE, "\\ud800")), detail
    assert "lone surrogate (U+D800)" in detail, detail
    assert LONE not in response.content.decode("utf-8")


def test_a_nul_character_is_a_400_naming_the_field(api, tenant, recommendation):
    url = f"/v1/tenants/{tenant.id}/coach/recommendations/{recommendation.pk}/feedback"
    response = _post_json(api, "post", url, json.dumps({"helpful": True, "comment": "a\x00b"}))
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("comment:"), response.json()


def test_a_nul_character_in_a_query_parameter_is_a_400(api, tenant):
    response = api.get(f"/v1/tenants/{tenant.id}/financials/", {"from": "2025-01\x00"})
    assert response.status_code == 400, response.content


def test_a_valid_surrogate_pair_is_text_like_any_other(api, tenant):
    # an emoji escaped as a pair is one character, not a lone surrogate
    response = _post_json(
        api, "patch", f"/v1/tenants/{tenant.id}/", '{"name": "Bakery \\ud83e\\udd50"}'
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Bakery \N{CROISSANT}"


@pytest.mark.parametrize("value", ["²", "1.5", HUGE, "0"])
def test_a_bad_recommendation_filter_is_a_400(api, tenant, value):
    url = f"/v1/tenants/{tenant.id}/coach/action-plans/"
    response = api.get(url, {"recommendation": value})
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("recommendation:"), response.json()


@pytest.mark.parametrize("value", ["²", HUGE, "0", "abc"])
def test_the_inbox_fast_path_with_a_bad_limit_is_a_400(api, tenant, value):
    url = f"/v1/tenants/{tenant.id}/notifications/"
    response = api.get(url, {"limit": value}, HTTP_IF_NONE_MATCH='"1.0.0.50.0"')
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("limit:"), response.json()
    response = api.get(url, {"limit": value}, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("path", ["insights/run/", "insights/run", "coach/action-plans/"])
def test_options_answers_the_metadata(api, tenant, path):
    response = api.options(f"/v1/tenants/{tenant.id}/{path}")
    assert response.status_code == 200, response.content
    assert response.json()["name"]


class _Ids(dict):
    """Real ids for the path parameters the test knows; "1" for any other (a key, a token)."""

    def __missing__(self, key: str) -> str:
        return "1"


def test_options_answers_on_every_endpoint(api, tenant, recommendation):
    """Every path of the schema, with real ids filled in, answers OPTIONS with its metadata."""
    from drf_spectacular.generators import SchemaGenerator

    plan = api.post(
        f"/v1/tenants/{tenant.id}/coach/action-plans/", {"recommendation": recommendation.pk}
    ).json()
    ids = {
        "tenant_id": tenant.id,
        "rid": recommendation.pk,
        "pid": plan["id"],
        "task_id": plan["tasks"][0]["id"],
        "id": 1,
        "pk": 1,
        "day": "latest",
        "fmt": "csv",
    }
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    failures = []
    for path in paths:
        url = path.format_map(_Ids(ids))
        response = api.options(url)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
    assert not failures
