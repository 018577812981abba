"""The web process as the Procfile runs it, behind no proxy and behind one: a forged
X-Forwarded-For buys no fresh login allowance, and the lockout records the real client."""

from __future__ import annotations

import json
import os
import shlex
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from axes.models import AccessAttempt  # axes ships no types: ignored in pyproject

from tests.processes import daphne_server

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PROCFILE = Path(__file__).resolve().parents[2] / "Procfile"


def procfile_daphne_options() -> tuple[str, ...]:
    """The web line's daphne options, without the address, port and application."""
    line = next(row for row in PROCFILE.read_text().splitlines() if row.startswith("web:"))
    words = shlex.split(line.split(":", 1)[1])
    words = words[words.index("daphne") + 1 :]
    options: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in {"-b", "-p", "--bind", "--port"}:
            skip = True
        elif not word.endswith(":application"):
            options.append(word)
    return tuple(options)


def post(port: int, username: str, forwarded_for: str, password: str = "wrong"):  # noqa: S107
    """(status, headers, body) of a token login through the real server."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/auth/token/",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http only
            return int(response.status), response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), error.headers, json.loads(error.read())


def login(port: int, username: str, forwarded_for: str) -> int:
    return post(port, username, forwarded_for)[0]


def own_counters() -> str:
    """A cache prefix of this test's own: the run's other login tests from 127.0.0.1 must not
    have used up the per-address allowance this test counts on."""
    return f"{os.environ['CACHE_KEY_PREFIX']}-{uuid.uuid4().hex[:8]}"


def test_the_procfile_web_process_ignores_a_forged_x_forwarded_for():
    with daphne_server(
        options=procfile_daphne_options(), THROTTLE_LOGIN="3/min", CACHE_KEY_PREFIX=own_counters()
    ) as (_, port):
        statuses = [login(port, f"nobody{i}", f"198.51.100.{i}") for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    # the lockout counted the attempts against the real peer, not the forged addresses
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_one_proxy_the_address_it_appended_counts():
    with daphne_server(
        options=procfile_daphne_options(),
        NUM_PROXIES="1",
        THROTTLE_LOGIN="3/min",
        CACHE_KEY_PREFIX=own_counters(),
    ) as (_, port):
        forged = [login(port, f"nobody{i}", f"6.6.6.{i}, 203.0.113.7") for i in range(4)]
        other_client = login(port, "nobody9", "203.0.113.8")
    assert forged == [401, 401, 401, 429]
    assert other_client == 401
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.7",
        "203.0.113.8",
    }


def test_the_lockout_answers_through_the_asgi_server(django_user_model):
    # daphne runs Django's middleware asynchronously: axes' lockout takes its async path there
    django_user_model.objects.create_user(username="carol", password="pw-carol")
    with daphne_server(AXES_FAILURE_LIMIT="2", CACHE_KEY_PREFIX=own_counters()) as (_, port):
        statuses = [login(port, "carol", "198.51.100.1") for _ in range(2)]
        status, headers, body = post(port, "carol", "198.51.100.1", password="pw-carol")
    assert statuses == [401, 429]
    assert status == 429
    assert body["detail"].startswith("Too many failed logins for this username")
    assert int(headers["Retry-After"]) == 15 * 60
