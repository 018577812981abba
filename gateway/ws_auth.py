"""WebSocket authentication by API token, beside the session.

Browsers cannot set an Authorization header on a WebSocket, so the token comes either in the
query string (``?token=<key>``) or as a subprotocol ``token.<key>`` in ``Sec-WebSocket-Protocol``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.contrib.auth.models import AnonymousUser, User

from gateway.services import user_for_key

if TYPE_CHECKING:
    from asgiref.typing import ASGIReceiveCallable, ASGISendCallable
    from channels.consumer import _ChannelScope
    from channels.utils import _ChannelApplication

SUBPROTOCOL_TOKEN_PREFIX = "token."  # noqa: S105 - a label, not a secret


def token_from_scope(scope: Mapping[str, Any]) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("token"):
        return query["token"][0]
    for protocol in scope.get("subprotocols", []):
        if protocol.startswith(SUBPROTOCOL_TOKEN_PREFIX):
            return protocol[len(SUBPROTOCOL_TOKEN_PREFIX) :]
    return None


@database_sync_to_async
def _user_for_key(key: str) -> User | None:
    found = user_for_key(key)
    return found[0] if found else None


class TokenAuthMiddleware(BaseMiddleware):
    """Sets ``scope["user"]`` from a token when the session did not authenticate the user."""

    async def __call__(
        self, scope: _ChannelScope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> _ChannelApplication:
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            key = token_from_scope(scope)
            if key:
                found = await _user_for_key(key)
                if found is not None:
                    # Channels' stub wants its lazy proxy here; a consumer only needs a user.
                    scope = {**scope, "user": found}  # type: ignore[typeddict-item]
        return await super().__call__(scope, receive, send)


class SessionAuthMiddleware(AuthMiddleware):
    """Channels' session authentication, minus the database trip when there is no session.

    A client that authenticates by token sends no session cookie; resolving its user through
    the database thread anyway costs a thread hop per connect, which a reconnect storm pays
    thousands of times on one thread.
    """

    async def resolve_scope(self, scope: _ChannelScope) -> None:
        user = scope.get("user")  # the lazy proxy populate_scope put there
        if user is not None and scope["session"].session_key is None:
            user._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


def WebSocketAuthStack(inner: Any) -> Any:
    """Session (cookie) or token authentication for WebSockets."""
    return CookieMiddleware(SessionMiddleware(SessionAuthMiddleware(TokenAuthMiddleware(inner))))
