"""The WebSocket against what an attacker and a command-line client did (issue 11).

Real daphne (``tests.processes``), real ``websockets`` clients: the Origin rule for clients that
are not browsers, the README's own example, deeply nested JSON, and frames past the server's
message limit.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.test import Client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from gateway.json_limits import MAX_JSON_DEPTH
from notifications.consumers import CLOSE_MESSAGE_TOO_BIG
from notifications.services import notify
from tests.notifications.conftest import close_code, recv, ws_connect

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _no_origin(port: int, tenant_id, query: str = "", **kwargs):
    """A client that is not a browser: it sends no Origin header at all."""
    return connect(
        f"ws://127.0.0.1:{port}/ws/tenants/{tenant_id}/{query}",
        proxy=None,
        compression=None,
        open_timeout=5,
        **kwargs,
    )


def _session_cookie(user) -> str:
    browser = Client()
    browser.force_login(user)
    return f"sessionid={browser.cookies['sessionid'].value}"


# --- the Origin rule ---------------------------------------------------------------------------


def test_a_token_client_without_origin_connects(daphne_port, tenant, alice, key_for):
    with _no_origin(daphne_port, tenant.pk, f"?token={key_for(alice)}") as ws:
        ws.send(json.dumps({"type": "ping", "ts": 1}))
        assert recv(ws) == {"type": "pong", "ts": 1}


def test_a_subprotocol_token_without_origin_connects(daphne_port, tenant, alice, key_for):
    offered = ["coach.v1", f"token.{key_for(alice)}"]
    with _no_origin(daphne_port, tenant.pk, subprotocols=offered) as ws:
        assert ws.subprotocol == "coach.v1"
        ws.send(json.dumps({"type": "ping"}))
        assert recv(ws) == {"type": "pong"}


def test_a_token_with_a_foreign_origin_is_still_refused(daphne_port, tenant, alice, key_for):
    with pytest.raises(InvalidStatus) as refused:
        ws_connect(daphne_port, tenant.pk, key_for(alice), origin="https://evil.example")

    assert refused.value.response.status_code == 403


def test_a_session_cookie_authenticates_from_an_allowed_origin(daphne_port, tenant, alice):
    cookie = _session_cookie(alice)

    with ws_connect(daphne_port, tenant.pk, additional_headers={"Cookie": cookie}) as ws:
        ws.send(json.dumps({"type": "ping"}))
        assert recv(ws) == {"type": "pong"}


def test_a_session_cookie_without_origin_is_refused(daphne_port, tenant, alice):
    cookie = _session_cookie(alice)

    with pytest.raises(InvalidStatus) as refused:
        _no_origin(daphne_port, tenant.pk, additional_headers={"Cookie": cookie})

    assert refused.value.response.status_code == 403


def test_without_origin_the_session_cookie_is_ignored_beside_a_bad_token(
    daphne_port, tenant, alice
):
    # a cookie jar and a wrong token: the cookie must not authenticate a request with no Origin
    cookie = _session_cookie(alice)

    with _no_origin(
        daphne_port, tenant.pk, "?token=coach_wrong", additional_headers={"Cookie": cookie}
    ) as ws:
        assert close_code(ws) == 4401


def test_the_readme_websocket_example_works_as_written(daphne_port, tenant, alice, key_for):
    # given the README's example and a member with one notification in the inbox
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(TENANT=.*?\n.*?-m websockets .*?)\n```", readme, re.S)
    assert block, "the README's WebSocket example was not found"
    lines = block.group(1).splitlines()
    commands = "\n".join(lines[:2]).replace("localhost:8000", f"127.0.0.1:{daphne_port}")
    sent = [line[2:] for line in lines[2:] if line.startswith("> ")]
    shown = [line for line in lines[2:] if line.startswith("< ")]  # abridged with "…"
    expected = [re.findall(r'^< \{"type":"([a-z_.]+)"', line)[0] for line in shown]
    assert sent
    assert expected
    created = notify(tenant, kind="coach_alert", title="Runway under 60 days")[0]

    # when its commands run as written, with the token of the README's earlier example
    env = {**os.environ, "TOKEN": key_for(alice)}
    shell = subprocess.Popen(
        ["bash", "-c", commands],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert shell.stdin
    assert shell.stdout
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(shell.stdout.readline, "")))
    reader.start()

    def received() -> list[dict]:
        found = re.findall(r"< (\{.*?\})(?:\x1b|\n|$)", "".join(chunks))
        return [json.loads(message) for message in found]

    try:
        for message in sent:
            shell.stdin.write(message + "\n")
            shell.stdin.flush()
        deadline = time.monotonic() + 30  # a bound for a stuck client, not a timing
        while len(received()) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.05)
        shell.stdin.close()
        shell.wait(timeout=10)
    finally:
        shell.kill()
        reader.join()

    # then each message comes back as the README shows
    output = "".join(chunks)
    assert "Connected to" in output, output
    assert [message["type"] for message in received()] == expected, output
    assert received()[0]["notification"]["id"] == created.id


# --- nesting -----------------------------------------------------------------------------------


def test_deeply_nested_json_gets_the_documented_error_and_the_socket_stays_open(
    daphne_port, tenant, alice, key_for
):
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        ws.send("[" * 2000 + "]" * 2000)  # 4,000 bytes: under the size limit

        error = recv(ws)
        assert (error["type"], error["code"]) == ("error", "bad_json")
        assert f"nested deeper than {MAX_JSON_DEPTH}" in error["detail"]

        ws.send(json.dumps({"type": "ping"}))
        assert recv(ws) == {"type": "pong"}


def test_nesting_up_to_the_limit_is_accepted(daphne_port, tenant, alice, key_for):
    deep = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)  # the object is one level
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        ws.send('{"type": "ping", "ts": ' + deep + "}")
        assert recv(ws)["type"] == "pong"

        ws.send('{"type": "ping", "ts": [' + deep + "]}")
        assert recv(ws)["code"] == "bad_json"


# --- message size ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024])
def test_a_frame_of_a_mebibyte_or_more_closes_4009(daphne_port, tenant, alice, key_for, size):
    frame = '{"type": "ping", "pad": "' + "x" * (size - 27) + '"}'
    assert len(frame.encode()) == size
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        ws.send(frame)
        assert close_code(ws) == CLOSE_MESSAGE_TOO_BIG


def test_a_binary_frame_past_the_server_limit_closes_4009(daphne_port, tenant, alice, key_for):
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        ws.send(b"\x00" * (2 * 1024 * 1024))
        assert close_code(ws) == CLOSE_MESSAGE_TOO_BIG
