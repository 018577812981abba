"""Tenants through the API: listing, creating, changing, and nobody else's business."""

from __future__ import annotations

import pytest

from gateway.models import Membership, Role, Tenant
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_it_lists_only_the_callers_tenants(api, tenant, other_tenant):
    response = api.get("/v1/tenants/")

    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [str(tenant.id)]
    assert response.json()["results"][0]["role"] == "owner"


def test_it_creates_a_tenant_with_the_caller_as_owner(api, alice):
    response = api.post(
        "/v1/tenants/",
        {"name": "Corner Shop", "timezone": "Asia/Kolkata", "insight_hour": 7, "currency": "inr"},
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["currency"] == "INR"
    assert body["role"] == "owner"
    tenant = Tenant.objects.get(pk=body["id"])
    assert tenant.timezone == "Asia/Kolkata"
    assert Membership.objects.get(tenant=tenant, user=alice).role == Role.OWNER


def test_it_maps_legacy_timezone_names(api):
    response = api.post("/v1/tenants/", {"name": "Kyiv Cafe", "timezone": "Europe/Kiev"})

    assert response.status_code == 201
    assert response.json()["timezone"] == "Europe/Kyiv"


@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        ({"name": "X", "timezone": "Mars/Olympus"}, "timezone", "not an IANA timezone"),
        ({"name": "X", "insight_hour": 24}, "insight_hour", "less than or equal to 23"),
        ({"name": "X", "insight_hour": -1}, "insight_hour", "greater than or equal to 0"),
        ({"name": "X", "currency": "EURO"}, "currency", "ISO 4217"),
        ({"name": "X", "currency": "XYZ"}, "currency", "ISO 4217"),
        ({"name": "   "}, "name", "blank"),
        ({}, "name", "required"),
    ],
)
def test_it_rejects_bad_input_naming_the_field(api, payload, field, fragment):
    before = Tenant.objects.count()

    response = api.post("/v1/tenants/", payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert body["detail"].startswith(f"{field}:")
    assert fragment in body["detail"]
    assert Tenant.objects.count() == before


def test_owner_and_admin_can_change_settings(api, tenant, make_user, add_member):
    # given an admin besides the owner
    admin_user = make_user()
    add_member(tenant, admin_user, Role.ADMIN)

    # when both change something
    first = api.patch(
        f"/v1/tenants/{tenant.id}/", {"timezone": "Australia/Lord_Howe", "insight_hour": 5}
    )
    second = client_for(admin_user).patch(f"/v1/tenants/{tenant.id}/", {"currency": "AUD"})

    # then both changes stick
    assert first.status_code == 200, first.json()
    assert second.status_code == 200, second.json()
    tenant.refresh_from_db()
    assert (tenant.timezone, tenant.insight_hour, tenant.currency) == (
        "Australia/Lord_Howe",
        5,
        "AUD",
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
def test_viewer_and_member_cannot_patch(tenant, make_user, add_member, role):
    user = make_user()
    add_member(tenant, user, role)

    response = client_for(user).patch(f"/v1/tenants/{tenant.id}/", {"name": "Hijacked"})

    assert response.status_code == 403
    tenant.refresh_from_db()
    assert tenant.name == "Alice Bakery"


def test_a_viewer_can_read(tenant, make_user, add_member):
    user = make_user()
    add_member(tenant, user, Role.VIEWER)

    response = client_for(user).get(f"/v1/tenants/{tenant.id}/")

    assert response.status_code == 200
    assert response.json()["role"] == "viewer"


def test_a_bad_patch_writes_nothing(api, tenant):
    response = api.patch(
        f"/v1/tenants/{tenant.id}/", {"name": "New name", "timezone": "Nowhere/Land"}
    )

    assert response.status_code == 400
    assert "timezone" in response.json()["errors"]
    tenant.refresh_from_db()
    assert tenant.name == "Alice Bakery"


def test_the_business_profile_takes_industry_cash_buffer_and_warning_window(api, tenant):
    response = api.patch(
        f"/v1/tenants/{tenant.id}/",
        {"industry": "restaurant", "cash_buffer": "25000.00", "forecast_warning_weeks": 6},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["industry"], body["cash_buffer"], body["forecast_warning_weeks"]) == (
        "restaurant",
        "25000.00",
        6,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("industry", "bakery"), ("cash_buffer", "-1"), ("forecast_warning_weeks", 0)],
)
def test_a_bad_business_profile_value_is_refused_naming_the_field(api, tenant, field, value):
    response = api.patch(f"/v1/tenants/{tenant.id}/", {field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    tenant.refresh_from_db()
    assert (tenant.industry, tenant.cash_buffer, tenant.forecast_warning_weeks) == (
        "other",
        None,
        8,
    )


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("patch", ""), ("get", "members/")],
)
def test_another_tenants_resources_answer_404(api, other_tenant, method, suffix):
    response = getattr(api, method)(f"/v1/tenants/{other_tenant.id}/{suffix}", {"name": "x"})

    assert response.status_code == 404
    assert "Bob" not in response.content.decode()
    other_tenant.refresh_from_db()
    assert other_tenant.name == "Bob Bikes"


def test_an_unknown_tenant_answers_404_like_a_foreign_one(api):
    response = api.get("/v1/tenants/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404


def test_an_inactive_tenant_is_gone(api, tenant):
    tenant.is_active = False
    tenant.save()

    assert api.get(f"/v1/tenants/{tenant.id}/").status_code == 404
    assert api.get("/v1/tenants/").json()["results"] == []


def test_members_lists_the_tenants_members(api, tenant, bob, add_member):
    add_member(tenant, bob, Role.VIEWER)

    response = api.get(f"/v1/tenants/{tenant.id}/members/")

    assert response.status_code == 200
    rows = {row["username"]: row["role"] for row in response.json()["results"]}
    assert rows == {"alice": "owner", "bob": "viewer"}


def test_me_lists_memberships(api, tenant, other_tenant):
    response = api.get("/v1/me/")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "alice"
    assert body["memberships"] == [
        {"tenant_id": str(tenant.id), "tenant_name": "Alice Bakery", "role": "owner"}
    ]


def test_anonymous_callers_are_refused(anon, tenant):
    assert anon.get("/v1/tenants/").status_code == 401
    assert anon.get(f"/v1/tenants/{tenant.id}/").status_code == 401
