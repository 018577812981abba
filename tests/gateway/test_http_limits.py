"""What the HTTP side refuses and what it says: nesting and size limits, the headers of secrets
and of the console, the probes' and CSRF's words."""

from __future__ import annotations

import copy

import pytest
from django.conf import settings
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

TWENTY_MB = 20 * 1024 * 1024


def nested(depth: int) -> bytes:
    return b'{"name": ' + b"[" * (depth - 1) + b"1" + b"]" * (depth - 1) + b"}"


# --- deeply nested JSON --------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 5_000, 100_000])
def test_json_nested_too_deep_is_a_400_naming_the_limit(api, anon, tenant, depth):
    body = nested(depth)
    for client, method, url in [
        (anon, "POST", "/v1/auth/token/"),
        (api, "POST", "/v1/tenants/"),
        (api, "PATCH", f"/v1/tenants/{tenant.id}/"),
        (api, "POST", "/v1/tokens/"),
    ]:
        response = client.generic(method, url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.content[:300])
        assert "nested deeper than 64 levels" in response.json()["detail"], url


def test_json_nested_to_the_limit_is_parsed(api):
    # 64 levels: the document is read, and the field's own validation speaks
    response = api.generic("POST", "/v1/tokens/", nested(64), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("name:")


# --- body size -------------------------------------------------------------------------------


def test_a_20_mb_json_body_is_a_json_413_naming_the_limit(api, anon):
    body = b'{"username": "' + b"a" * TWENTY_MB + b'", "password": "x"}'
    for client, url in [(anon, "/v1/auth/token/"), (api, "/v1/tenants/")]:
        response = client.generic("POST", url, body, content_type="application/json")
        assert response.status_code == 413, (url, response.content[:300])
        assert response["Content-Type"] == "application/json"
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        assert response.json()["detail"] == (
            f"Request body too large: the limit is {limit} bytes (2.5 MB)."
        )


def test_a_20_mb_form_is_a_json_413_too(api):
    body = b"name=" + b"a" * TWENTY_MB
    response = api.generic(
        "POST", "/v1/tenants/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "the limit is" in response.json()["detail"]


def test_a_multipart_field_over_the_limit_is_a_json_413(api):
    # multipart is measured by its fields, not its declared length: Django's parser meets the
    # limit inside the view, and the answer is the same
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = api.post("/v1/tenants/", {"name": "a" * (limit + 1)}, format="multipart")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Request body too large: the limit is")


def test_a_20_mb_admin_login_form_is_a_413():
    browser = Client()
    response = browser.generic(
        "POST",
        "/admin/login/",
        b"username=" + b"a" * TWENTY_MB,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413


# --- headers -------------------------------------------------------------------------------------


def test_a_new_token_is_never_stored_by_a_cache(api, anon, alice):
    login = anon.post("/v1/auth/token/", {"username": "alice", "password": "pw-alice"})
    created = api.post("/v1/tokens/", {"name": "ci"})
    for response in (login, created):
        assert response.status_code == 201
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_the_console_sends_a_strict_content_security_policy():
    page = Client().get("/")
    policy = page["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_the_csrf_failure_says_it_in_one_sentence(alice):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        "/v1/auth/session/",
        {"username": "alice", "password": "pw-alice"},
        content_type="application/json",
    )
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert ".." not in detail
    assert detail == (
        "CSRF failed: CSRF cookie not set. Send the csrftoken cookie's value as the "
        "X-CSRFToken header."
    )


# --- probes --------------------------------------------------------------------------------------


def test_readyz_names_the_failing_service_not_its_address(anon):
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = "redis://127.0.0.1:1/0"
    with override_settings(CACHES=caches, CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = anon.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis", "broker"]
    assert body["checks"]["redis"] == "error: ConnectionError"
    assert "127.0.0.1" not in response.content.decode()
    assert ":1" not in response.content.decode()
