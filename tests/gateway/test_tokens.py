"""API tokens: shown once, stored hashed, revocable, throttled."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from gateway.models import ApiToken, hash_token
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_it_shows_a_new_key_once_and_stores_only_its_hash(api, alice):
    response = api.post("/v1/tokens/", {"name": "laptop"})

    assert response.status_code == 201
    key = response.json()["key"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.digest == hash_token(key)
    assert key not in {token.digest, token.key_prefix}
    listed = api.get("/v1/tokens/").json()["results"]
    assert all("key" not in row for row in listed)
    assert _with_key(key).get("/v1/me/").json()["username"] == "alice"


def test_a_revoked_token_is_refused(api):
    key = api.post("/v1/tokens/", {"name": "phone"}).json()["key"]
    token_id = ApiToken.objects.get(digest=hash_token(key)).pk

    revoke = api.delete(f"/v1/tokens/{token_id}/")

    assert revoke.status_code == 204
    response = _with_key(key).get("/v1/me/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert ApiToken.objects.get(pk=token_id).revoked_at is not None


def test_a_user_cannot_see_or_revoke_anothers_token(api, bob):
    client_for(bob)
    bobs_token = ApiToken.objects.get(user=bob)

    assert api.get(f"/v1/tokens/{bobs_token.pk}/").status_code == 404
    assert api.delete(f"/v1/tokens/{bobs_token.pk}/").status_code == 404
    bobs_token.refresh_from_db()
    assert bobs_token.revoked_at is None


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token not-a-real-key"])
def test_malformed_or_unknown_tokens_are_refused(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert client.get("/v1/me/").status_code == 401


def test_an_expired_token_is_refused(api):
    key = api.post("/v1/tokens/", {"name": "short", "expires_in_days": 1}).json()["key"]
    ApiToken.objects.filter(digest=hash_token(key)).update(expires_at="2000-01-01T00:00:00Z")

    assert _with_key(key).get("/v1/me/").status_code == 401


def test_login_exchanges_a_password_for_a_token(anon, alice):
    response = anon.post("/v1/auth/token/", {"username": "alice", "password": "pw-alice"})

    assert response.status_code == 201
    assert _with_key(response.json()["key"]).get("/v1/me/").status_code == 200


def test_login_with_a_wrong_password_is_refused(anon, alice):
    response = anon.post("/v1/auth/token/", {"username": "alice", "password": "nope"})

    assert response.status_code == 401
    assert not ApiToken.objects.filter(user=alice).exists()


def test_throttling_answers_429_with_retry_after(api, monkeypatch):
    # given a user rate of 3 requests a minute
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})

    # when the user makes a fourth request
    statuses = [api.get("/v1/me/").status_code for _ in range(4)]

    # then it is refused and told when to come back
    assert statuses == [200, 200, 200, 429]
    refused = api.get("/v1/me/")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
