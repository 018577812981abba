"""WebSocket authentication by API token, beside the session.

Browsers cannot set an Authorization header on a WebSocket, so the token comes either in the
query string (``?token=<key>``) or as a subprotocol ``token.<key>`` in ``Sec-WebSocket-Protocol``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddleware
from channels.middleware import BaseMiddleware
from channels.security.websocket import OriginValidator, WebsocketDenier
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User

from config.env import env_float
from gateway.batching import Coalescer
from gateway.models import hash_token
from gateway.services import users_for_digests

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


class IdentityCache:
    """Who a token digest authenticated, for ``ttl`` seconds, in this process (event loop only).

    A socket that reconnects (the layer watch's 4012 closes every socket of a process at once,
    a flapping network) is authenticated without the database. The price: a token revoked, or a
    user deactivated, still opens new WebSockets in this process for up to ``ttl`` seconds after
    (open sockets were never closed by a revocation). Only successes are kept; ``ttl`` 0 turns it
    off.
    """

    def __init__(
        self, ttl: float, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[str, tuple[float, User]] = {}

    def get(self, digest: str) -> User | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry[0] <= self.clock():
            del self._entries[digest]
            return None
        return entry[1]

    def put(self, digest: str, user: User) -> None:
        if self.ttl <= 0:
            return
        now = self.clock()
        if len(self._entries) >= self.max_entries:  # drop the expired; if none, start over
            self._entries = {d: e for d, e in self._entries.items() if e[0] > now}
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
        self._entries[digest] = (now + self.ttl, user)

    def clear(self) -> None:
        self._entries.clear()


identities = IdentityCache(env_float("WS_TOKEN_CACHE_SECONDS", 10.0, minimum=0.0))
# Every socket's token lookup that arrives while one is under way goes in the next statement.
_users_for_digests: Coalescer[str, User | None] = Coalescer(users_for_digests)


async def user_for_token(key: str) -> User | None:
    """The user a token authenticates (``gateway.services`` rule), cached briefly, batched."""
    digest = hash_token(key)
    user = identities.get(digest)
    if user is None:
        user = await _users_for_digests(digest)
        if user is not None:
            identities.put(digest, user)
    return user


class TokenAuthMiddleware(BaseMiddleware):
    """Sets ``scope["user"]`` from a token when the session did not authenticate the user."""

    async def __call__(
        self, scope: _ChannelScope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> _ChannelApplication:
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            key = token_from_scope(scope)
            if key:
                found = await user_for_token(key)
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


class WebSocketAuthStack:
    """Session (cookie) or token authentication for WebSockets.

    A connect without a Cookie header has no session to find: it skips channels' cookie,
    session and auth middleware (a session store and two lazy objects per connect, measurable in
    a reconnect storm) and goes straight to the token.
    """

    def __init__(self, inner: Any) -> None:
        self.by_token = TokenAuthMiddleware(inner)
        self.by_session = CookieMiddleware(SessionMiddleware(SessionAuthMiddleware(self.by_token)))

    async def __call__(
        self, scope: _ChannelScope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> Any:
        if any(name == b"cookie" for name, _ in scope.get("headers", [])):
            return await self.by_session(scope, receive, send)
        anonymous = {**scope, "user": AnonymousUser()}
        return await self.by_token(anonymous, receive, send)  # type: ignore[arg-type]
