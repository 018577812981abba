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
from channels.security.websocket import OriginValidator, WebsocketDenier
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
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


class OriginCheck(OriginValidator):
    """The Origin rule: it protects cookie-authenticated browsers, not token clients.

    A browser always sends ``Origin`` on a WebSocket handshake, so an Origin outside
    ``ALLOWED_HOSTS`` is refused (HTTP 403) whatever the credentials: another site's page must not
    ride the user's session cookie. A client that is not a browser (a command-line tool, a mobile
    app) sends no Origin; it may connect with a token, and its cookies are then ignored, so a
    connection without an Origin is never authenticated by a session. Without an Origin and
    without a token it is refused (403), as before.
    """

    def __init__(self, application: Any) -> None:
        # As channels' AllowedHostsOriginValidator: ALLOWED_HOSTS, or loopback in DEBUG without any.
        allowed = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not allowed:
            allowed = ["localhost", "127.0.0.1", "[::1]"]
        super().__init__(application, allowed)
        self.inner: Any = application  # the stub types ``application`` as ASGI2 or 3

    async def __call__(
        self, scope: _ChannelScope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> Any:
        headers = scope.get("headers", [])
        if any(name == b"origin" for name, _ in headers):
            return await super().__call__(scope, receive, send)
        if token_from_scope(scope) is None:
            return await WebsocketDenier()(scope, receive, send)
        without_cookies = [(name, value) for name, value in headers if name != b"cookie"]
        return await self.inner({**scope, "headers": without_cookies}, receive, send)


def WebSocketAuthStack(inner: Any) -> Any:
    """Session (cookie) or token authentication for WebSockets."""
    return CookieMiddleware(SessionMiddleware(SessionAuthMiddleware(TokenAuthMiddleware(inner))))
