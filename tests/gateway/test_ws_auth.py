"""WebSocket authentication: a token in the query string or subprotocol, origin checked."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.test import Client

from gateway.services import issue_token, revoke_token
from gateway.ws_auth import WebSocketAuthStack

pytestmark = pytest.mark.django_db(transaction=True)


class WhoAmI(JsonWebsocketConsumer):
    def connect(self) -> None:
        user = self.scope["user"]
        if not user.is_authenticated:
            self.close(code=4401)
            return
        self.accept(subprotocol="coach.v1" if self.scope.get("subprotocols") else None)
        self.send_json({"username": user.username})


application = AllowedHostsOriginValidator(WebSocketAuthStack(WhoAmI.as_asgi()))


def _connect(path: str, origin: bytes = b"http://localhost", subprotocols=None, cookie=None):
    headers = [(b"origin", origin), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))

    async def run():
        communicator = WebsocketCommunicator(
            application, path, headers=headers, subprotocols=subprotocols
        )
        connected, code = await communicator.connect()
        message = await communicator.receive_json_from() if connected else None
        await communicator.disconnect()
        return connected, code, message

    return async_to_sync(run)()


def test_a_session_cookie_authenticates(alice):
    browser = Client()
    browser.force_login(alice)

    connected, _, message = _connect(
        "/ws/", cookie=f"sessionid={browser.cookies['sessionid'].value}"
    )

    assert connected
    assert message == {"username": "alice"}


def test_an_unknown_session_is_anonymous(alice):
    connected, code, _ = _connect("/ws/", cookie="sessionid=not-a-session")

    assert (connected, code) == (False, 4401)


def test_a_query_string_token_authenticates(alice):
    _, key = issue_token(alice, "ws")

    connected, _, message = _connect(f"/ws/?token={key}")

    assert connected
    assert message == {"username": "alice"}


def test_a_subprotocol_token_authenticates(alice):
    _, key = issue_token(alice, "ws")

    connected, subprotocol, message = _connect("/ws/", subprotocols=["coach.v1", f"token.{key}"])

    assert connected
    assert subprotocol == "coach.v1"
    assert message == {"username": "alice"}


@pytest.mark.parametrize("query", ["", "?token=", "?token=coach_nope"])
def test_missing_or_bad_tokens_are_anonymous(alice, query):
    connected, code, _ = _connect(f"/ws/{query}")

    assert not connected
    assert code == 4401


def test_a_revoked_token_is_anonymous(alice):
    token, key = issue_token(alice, "ws")
    revoke_token(token)

    connected, code, _ = _connect(f"/ws/?token={key}")

    assert (connected, code) == (False, 4401)


def test_a_foreign_origin_is_refused_before_authentication(alice):
    _, key = issue_token(alice, "ws")

    connected, _, _ = _connect(f"/ws/?token={key}", origin=b"https://evil.example")

    assert not connected
