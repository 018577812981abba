"""The web process as the Procfile runs it, behind no proxy and behind one: a forged
X-Forwarded-For buys no fresh login allowance, and the lockout records the real client."""

from __future__ import annotations

import json
import shlex
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from axes.models import AccessAttempt  # type: ignore[import-untyped]  # axes ships no types

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


def login(port: int, username: str, forwarded_for: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/auth/token/",
        data=json.dumps({"username": username, "password": "wrong"}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http only
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_procfile_web_process_ignores_a_forged_x_forwarded_for():
    with daphne_server(options=procfile_daphne_options(), THROTTLE_LOGIN="3/min") as (_, port):
        statuses = [login(port, f"nobody{i}", f"198.51.100.{i}") for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    # the lockout counted the attempts against the real peer, not the forged addresses
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_one_proxy_the_address_it_appended_counts():
    with daphne_server(
        options=procfile_daphne_options(), NUM_PROXIES="1", THROTTLE_LOGIN="3/min"
    ) as (_, port):
        forged = [login(port, f"nobody{i}", f"6.6.6.{i}, 203.0.113.7") for i in range(4)]
        other_client = login(port, "nobody9", "203.0.113.8")
    assert forged == [401, 401, 401, 429]
    assert other_client == 401
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.7",
        "203.0.113.8",
    }
