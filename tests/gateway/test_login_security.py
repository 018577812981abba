"""Password guessing: throttled per address (forwarded headers trusted only from NUM_PROXIES
proxies) and per username, and locked out per username and address on every login form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from gateway.models import ApiToken
from gateway.proxies import forwarded_client

pytestmark = pytest.mark.django_db

TOKEN = "/v1/auth/token/"
SESSION = "/v1/auth/session/"


@pytest.fixture
def rates(monkeypatch):
    """Small login allowances, so that a test reaches them in a few requests."""

    def set_rates(login: str = "3/min", login_username: str = "100/min") -> None:
        monkeypatch.setattr(
            SimpleRateThrottle,
            "THROTTLE_RATES",
            {
                "anon": "1000/min",
                "user": "1000/min",
                "login": login,
                "login_username": login_username,
            },
        )

    set_rates()
    return set_rates


def _token_login(client: APIClient, username: str, password: str = "wrong", **headers: Any):  # noqa: S107
    return client.post(TOKEN, {"username": username, "password": password}, **headers)


# --- the proxy rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "client"),
    [
        ("10.0.0.1", None, 0, "10.0.0.1"),
        ("10.0.0.1", "6.6.6.6", 0, "10.0.0.1"),  # no proxy trusted: the header is the client's
        ("10.0.0.1", "6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),  # the proxy appended the last
        ("10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.1", 2, "203.0.113.7"),
        ("10.0.0.1", "203.0.113.7", 2, "203.0.113.7"),  # fewer entries than proxies: the first
        ("10.0.0.1", "not-an-address", 1, "10.0.0.1"),  # garbage is not an address
        ("10.0.0.1", " , ", 1, "10.0.0.1"),
        ("10.0.0.1", "2001:db8::1", 1, "2001:db8::1"),
    ],
)
def test_the_client_address_follows_the_proxy_rule(remote, forwarded, proxies, client):
    assert forwarded_client(remote, forwarded, proxies) == client


def test_a_forged_x_forwarded_for_gets_no_fresh_allowance(anon, rates):
    # given no proxy in front (NUM_PROXIES=0, the default) and 3 logins a minute per address
    # when one client sends a new X-Forwarded-For (and a new username) with every attempt
    statuses = [
        _token_login(anon, f"nobody{i}", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(4)
    ]
    # then the header is ignored: the fourth attempt from the one real address is refused
    assert statuses == [401, 401, 401, 429]


def test_the_session_login_ignores_a_forged_x_forwarded_for(rates):
    browser = Client()
    statuses = [
        browser.post(
            SESSION,
            {"username": f"nobody{i}", "password": "wrong"},
            content_type="application/json",
            headers={"X-Forwarded-For": f"198.51.100.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


@override_settings(NUM_PROXIES=1)
def test_behind_one_proxy_the_address_it_appended_is_throttled(anon, rates):
    # given one trusted proxy, which appends the address it saw to X-Forwarded-For
    # when a client prepends forged entries of its own
    statuses = [
        _token_login(anon, f"nobody{i}", HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.7").status_code
        for i in range(4)
    ]
    # then it is throttled on the address the proxy saw
    assert statuses == [401, 401, 401, 429]
    # and another client behind the same proxy has its own allowance
    other = _token_login(anon, "nobody9", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 401


@override_settings(NUM_PROXIES=1)
def test_one_username_is_throttled_from_any_number_of_addresses(anon, alice, rates):
    # given 3 attempts a minute per username, and many addresses to guess from
    rates(login="1000/min", login_username="3/min")
    spellings = ["alice", "Alice", " ALICE ", "alice"]
    # when the same account is guessed from a new address each time, however spelt
    statuses = [
        _token_login(anon, name, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i, name in enumerate(spellings)
    ]
    # then the fourth guess is refused, and says when to come back
    assert statuses == [401, 401, 401, 429]
    refused = _token_login(anon, "alice", "pw-alice", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    # and another account is not held back by it
    assert _token_login(anon, "bob", HTTP_X_FORWARDED_FOR="203.0.113.50").status_code == 401


def test_a_logged_in_session_is_still_throttled_on_the_login_endpoint(alice, make_user, rates):
    # given a browser logged in as a real (attacker's) account
    make_user("mallory")
    browser = Client()
    assert (
        browser.post(
            SESSION,
            {"username": "mallory", "password": "pw-mallory"},
            content_type="application/json",
        ).status_code
        == 200
    )
    # when it guesses another account's password through the same endpoint
    statuses = [
        browser.post(
            SESSION,
            {"username": "alice", "password": f"guess{i}"},
            content_type="application/json",
        ).status_code
        for i in range(3)
    ]
    # then the login allowance applies to it too (the first login counted)
    assert statuses == [401, 401, 429]


# --- the lockout (django-axes) -------------------------------------------------------------------


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_admin_login_locks_out_a_username_from_an_address(make_user):
    make_user("root", is_staff=True, is_superuser=True)
    browser = Client()
    browser.get("/admin/login/")

    def attempt(password: str, address: str = "127.0.0.1"):
        return browser.post(
            "/admin/login/?next=/admin/",
            {"username": "root", "password": password},
            REMOTE_ADDR=address,
        )

    # when three wrong passwords are tried (the form is shown again, then the lockout)
    assert [attempt(f"guess{i}").status_code for i in range(3)] == [200, 200, 429]
    # then even the right password is refused, with a page that says why
    locked = attempt("pw-root")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("text/html")
    assert b"Too many failed logins" in locked.content
    # and the same account from another address is not locked out
    assert attempt("pw-root", address="192.0.2.10").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_browsable_api_login_locks_out_too(alice):
    browser = Client()

    def attempt(password: str):
        return browser.post(
            "/api-auth/login/", {"username": "alice", "password": password, "next": "/v1/me/"}
        )

    for i in range(3):
        attempt(f"guess{i}")
    locked = attempt("pw-alice")
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    assert "_auth_user_id" not in browser.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_api_login_answers_the_lockout_in_json(anon, alice, rates):
    rates(login="1000/min", login_username="1000/min")
    # the failure that reaches the limit is answered with the lockout already
    statuses = [_token_login(anon, "alice", f"guess{i}").status_code for i in range(3)]
    assert statuses == [401, 401, 429]
    # the right password, after the limit: refused, in JSON, and no token made
    locked = _token_login(anon, "alice", "pw-alice")
    assert locked.status_code == 429
    assert locked.json()["detail"].startswith("Too many failed logins for this username")
    assert int(locked.headers["Retry-After"]) > 0
    assert not ApiToken.objects.filter(user=alice).exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_session_login_answers_the_lockout_in_json(alice, rates):
    rates(login="1000/min", login_username="1000/min")
    browser = Client()

    def attempt(password: str):
        return browser.post(
            SESSION, {"username": "alice", "password": password}, content_type="application/json"
        )

    assert [attempt(f"guess{i}").status_code for i in range(3)] == [401, 401, 429]
    locked = attempt("pw-alice")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.json()["detail"]
    assert browser.get(SESSION).status_code in {401, 403}


def test_a_username_longer_than_django_allows_is_a_400(anon):
    response = _token_login(anon, "a" * 151)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("username:")
