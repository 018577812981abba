"""The web console's page and its session login: CSRF enforced, errors named, logout."""

from __future__ import annotations

import pytest
from django.test import Client

SESSION = "/v1/auth/session/"


@pytest.fixture
def browser() -> Client:
    """A client that enforces CSRF like a browser session does (Django's test client skips it)."""
    return Client(enforce_csrf_checks=True)


def csrf_from_page(browser: Client) -> str:
    page = browser.get("/")
    assert page.status_code == 200
    return page.cookies["csrftoken"].value


def login(browser: Client, token: str, username: str, password: str):
    return browser.post(
        SESSION,
        {"username": username, "password": password},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


@pytest.mark.django_db
def test_it_serves_the_console_with_a_csrf_cookie(browser: Client) -> None:
    # when
    page = browser.get("/")
    # then
    assert page.status_code == 200
    assert b"console/app.js" in page.content
    assert page.cookies["csrftoken"].value


def test_it_logs_in_and_the_session_reaches_the_api(browser: Client, alice, tenant) -> None:
    # given
    token = csrf_from_page(browser)
    # when
    response = login(browser, token, "alice", "pw-alice")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert [m["tenant_name"] for m in response.json()["memberships"]] == ["Alice Bakery"]
    assert browser.get("/v1/me/").json()["username"] == "alice"
    assert browser.get(SESSION).json()["username"] == "alice"


def test_it_refuses_a_wrong_password_naming_the_problem(browser: Client, alice) -> None:
    # given
    token = csrf_from_page(browser)
    # when
    response = login(browser, token, "alice", "not-her-password")
    # then
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong username or password."
    assert response.headers["WWW-Authenticate"].startswith("Session")
    assert browser.get("/v1/me/").status_code in {401, 403}


def test_it_names_a_missing_field(browser: Client, alice) -> None:
    # given
    token = csrf_from_page(browser)
    # when
    response = browser.post(
        SESSION,
        {"username": "alice"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    # then
    assert response.status_code == 400
    assert response.json()["detail"].startswith("password:")


def test_it_enforces_csrf_on_login(browser: Client, alice) -> None:
    # given: the cookie, but not the header a page's script sends
    csrf_from_page(browser)
    # when
    response = browser.post(
        SESSION, {"username": "alice", "password": "pw-alice"}, content_type="application/json"
    )
    # then
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert browser.get("/v1/me/").status_code in {401, 403}


def test_it_logs_out(browser: Client, alice) -> None:
    # given
    token = csrf_from_page(browser)
    assert login(browser, token, "alice", "pw-alice").status_code == 200
    token = browser.cookies["csrftoken"].value  # rotated by the login
    # when
    response = browser.delete(SESSION, headers={"X-CSRFToken": token})
    # then
    assert response.status_code == 204
    assert browser.get("/v1/me/").status_code in {401, 403}
    assert browser.get(SESSION).status_code == 401


def test_logout_needs_the_csrf_token(browser: Client, alice) -> None:
    # given
    token = csrf_from_page(browser)
    assert login(browser, token, "alice", "pw-alice").status_code == 200
    # when
    response = browser.delete(SESSION)
    # then: still logged in
    assert response.status_code == 403
    assert browser.get("/v1/me/").status_code == 200


@pytest.mark.django_db
def test_who_am_i_without_a_session_is_401(browser: Client) -> None:
    response = browser.get(SESSION)
    assert response.status_code == 401
    assert response.json()["detail"] == "Not logged in."


def test_the_demo_credentials_show_only_in_development(settings, client):
    settings.COACH_ENV = "development"
    assert b"demo-coach" in client.get("/").content
    settings.COACH_ENV = "production"
    assert b"demo-coach" not in client.get("/").content
