"""The demo data command: same rows every run, a token that works every run."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from gateway.models import ApiToken, Membership, Tenant

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, list]:
    users = get_user_model().objects
    return {
        "users": list(users.order_by("id").values_list("id", "username", "password", "is_staff")),
        "tenants": list(
            Tenant.objects.order_by("id").values_list("id", "name", "timezone", "updated_at")
        ),
        "memberships": list(
            Membership.objects.order_by("id").values_list("id", "user_id", "tenant_id", "role")
        ),
        "tokens": list(ApiToken.objects.order_by("id").values_list("id", "digest", "revoked_at")),
    }


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_running_it_twice_leaves_the_same_rows():
    first_output = _seed()
    first = _snapshot()

    second_output = _seed()

    assert _snapshot() == first
    assert len(first["tenants"]) >= 4
    token = re.search(r"demo API token: (\S+)", first_output).group(1)
    assert token in second_output


def test_it_restores_a_revoked_demo_token_and_the_printed_key_lists_the_demo_tenants():
    _seed()
    ApiToken.objects.update(revoked_at="2020-01-01T00:00:00Z")

    key = re.search(r"demo API token: (\S+)", _seed()).group(1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/v1/tenants/")

    assert response.status_code == 200
    zones = {row["timezone"] for row in response.json()["results"]}
    assert {"America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Australia/Sydney"} <= zones
