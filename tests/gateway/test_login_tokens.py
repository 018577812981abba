"""Logging in for a token does not pile up permanent tokens: login tokens expire, and a user
keeps at most a few live ones of one name (the oldest are revoked)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gateway.models import ApiToken
from gateway.services import LOGIN_TOKENS_KEPT

pytestmark = pytest.mark.django_db


def login(anon, **extra):
    body = {"username": "alice", "password": "pw-alice", **extra}
    return anon.post("/v1/auth/token/", body, format="json")


def test_a_login_token_expires(anon, alice, settings):
    settings.COACH_LOGIN_TOKEN_DAYS = 30
    response = login(anon)

    assert response.status_code == 201
    expires = ApiToken.objects.get(user=alice).expires_at
    assert expires is not None
    assert abs(expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert response.json()["expires_at"] is not None


def test_logging_in_again_and_again_keeps_a_bounded_number_of_live_tokens(anon, alice):
    keys = [login(anon).json()["key"] for _ in range(LOGIN_TOKENS_KEPT + 3)]

    live = ApiToken.objects.active().filter(user=alice, name="login")
    assert live.count() == LOGIN_TOKENS_KEPT
    # the newest still work, the oldest were revoked
    assert anon.get("/v1/me/", HTTP_AUTHORIZATION=f"Token {keys[-1]}").status_code == 200
    assert anon.get("/v1/me/", HTTP_AUTHORIZATION=f"Token {keys[0]}").status_code == 401


def test_other_names_and_tokens_made_by_hand_are_left_alone(anon, api, alice):
    made = api.post("/v1/tokens/", {"name": "login"}).json()["key"]  # by hand, never expires
    for _ in range(LOGIN_TOKENS_KEPT + 1):
        login(anon, token_name="laptop")

    assert api.get("/v1/me/").status_code == 200
    assert anon.get("/v1/me/", HTTP_AUTHORIZATION=f"Token {made}").status_code == 200
    assert ApiToken.objects.active().filter(user=alice, name="laptop").count() == LOGIN_TOKENS_KEPT
