"""The API's throttles: per user, per anonymous address, and for logins per address and per
username. All of them count in the cache (Redis) and fail open when it is unreachable.

Throttling is a guard, not a dependency: with the cache's Redis down the API keeps answering from
Postgres, unthrottled, and says so in the log (``/readyz`` reports the cache down meanwhile).
Password guessing stays bounded then by the lockout (django-axes), which counts in Postgres.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import unicodedata
from typing import TYPE_CHECKING, Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import throttling
from rest_framework.request import Request

from gateway.proxies import client_ip

if TYPE_CHECKING:  # rest_framework.views imports the throttle classes named in the settings
    from rest_framework.views import APIView

log = logging.getLogger(__name__)

# What the cache raises when its Redis is down, refusing connections or not answering in time.
CACHE_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
# One warning per this many seconds per process, with how many requests went unthrottled: a dead
# cache under load would otherwise write a line per request.
LOG_EVERY_SECONDS = 60.0

_log_lock = threading.Lock()
_last_logged = 0.0
_unlogged = 0


def _log_cache_down(scope: str, exc: BaseException) -> None:
    global _last_logged, _unlogged
    with _log_lock:
        now = time.monotonic()
        if _last_logged and now - _last_logged < LOG_EVERY_SECONDS:
            _unlogged += 1
            return
        skipped, _unlogged, _last_logged = _unlogged, 0, now
    log.warning(
        "throttling skipped: the cache is unreachable (%s: %s); requests pass unthrottled "
        "until it is back (%d more since the last warning)",
        type(exc).__name__,
        exc,
        skipped,
        extra={"throttle_scope": scope},
    )


class FailOpenMixin:
    """``allow_request`` that lets the request through when the cache cannot be reached."""

    scope: str | None

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except CACHE_DOWN as exc:
            _log_cache_down(self.scope or type(self).__name__, exc)
            return True


class ClientAddressMixin:
    """The client's address by the project's proxy rule (gateway/proxies.py)."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request._request)


class AnonRateThrottle(FailOpenMixin, ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FailOpenMixin, ClientAddressMixin, throttling.UserRateThrottle):
    pass


class _ScopedWithDefault(FailOpenMixin, ClientAddressMixin, throttling.SimpleRateThrottle):
    """A throttle whose rate comes from ``DEFAULT_THROTTLE_RATES[scope]``, else ``default_rate``
    (not DRF's ``rate`` attribute: set on the class, it would win over the settings)."""

    default_rate: str

    def get_rate(self) -> str | None:
        return self.THROTTLE_RATES.get(self.scope or "", self.default_rate)


class LoginThrottle(_ScopedWithDefault):
    """Login attempts per client address, logged in or not (a session is no way around it)."""

    scope = "login"
    default_rate = "10/min"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def normalise_username(value: Any) -> str | None:
    """One spelling per account for counting attempts: NFKC, trimmed, case-folded, at most 150
    characters (Django's limit). ``None`` for anything that is not a non-empty string."""
    if not isinstance(value, str):
        return None
    name = unicodedata.normalize("NFKC", value).strip().casefold()[:150]
    return name or None


class LoginUsernameThrottle(_ScopedWithDefault):
    """Login attempts per username, from any number of addresses (a distributed guess)."""

    scope = "login_username"
    default_rate = "30/hour"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        data = request.data
        name = normalise_username(data.get("username") if hasattr(data, "get") else None)
        if name is None:
            return None  # nothing to guess against; the serializer names the missing field
        # The key holds a digest, not the name: bounded length, and no user input in a key.
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


def login_throttles() -> list[throttling.BaseThrottle]:
    """The throttles of every endpoint that takes a password."""
    return [LoginThrottle(), LoginUsernameThrottle()]
