"""Slack and signed webhooks: URL checks, the event body, the signature, and one HTTP POST.

The signature is Stripe's scheme: ``Coach-Signature: t=<unix seconds>,v1=<hex>``, where the hex
is HMAC-SHA256 with the destination's secret over ``"<t>.<raw body>"``. A receiver recomputes
it and refuses a timestamp older than its tolerance, so a captured request cannot be replayed
later (``verify_signature``; the README shows the same for receivers).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

SIGNATURE_HEADER = "Coach-Signature"
# A receiver accepts a signature this many seconds old at most (and so should the README's).
DEFAULT_TOLERANCE = 300
# A receiver that takes longer is treated as down (the attempt is retried later).
POST_TIMEOUT = 10.0
USER_AGENT = "Coach-Webhooks/1"


class UnsafeURL(ValueError):
    """A destination URL Coach will not call; the message says why."""


class SignatureError(ValueError):
    """A webhook request whose signature does not verify (or is too old)."""


def new_secret() -> str:
    """A signing secret: shown to its creator once, stored to sign with."""
    return "whsec_" + secrets.token_urlsafe(32)


# --- URL validation -------------------------------------------------------------------------


def _blocked(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local (cloud metadata), multicast, reserved, unspecified."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _blocked(ip.ipv4_mapped)
    return not ip.is_global or ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (an IP literal is itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"url: the host {host!r} does not resolve ({exc})") from None
    return sorted({str(info[4][0]) for info in infos})


def check_url(
    url: str, *, allow_private: bool | None = None, production: bool | None = None
) -> str:
    """The address to connect to for ``url``, or ``UnsafeURL`` saying why it is refused.

    https only in production; never a loopback or private address unless
    ``COACH_WEBHOOK_ALLOW_PRIVATE`` allows it. Checked when a destination is saved and again
    before every POST, on the address actually connected to, so a DNS answer that changes
    later (rebinding) cannot point a request inside the network.
    """
    if allow_private is None:
        allow_private = settings.COACH_WEBHOOK_ALLOW_PRIVATE
    if production is None:
        production = settings.IS_PRODUCTION
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"url: not a valid URL ({exc})") from None
    schemes = {"https"} if production else {"https", "http"}
    if parts.scheme not in schemes:
        raise UnsafeURL(f"url: must start with {' or '.join(sorted(s + '://' for s in schemes))}")
    if not parts.hostname:
        raise UnsafeURL("url: names no host")
    if parts.username or parts.password:
        raise UnsafeURL("url: must not carry a user name or password")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    if not allow_private:
        for address in addresses:
            if _blocked(ipaddress.ip_address(address.split("%")[0])):
                raise UnsafeURL(
                    f"url: {parts.hostname} is a loopback or private address ({address}); "
                    "set COACH_WEBHOOK_ALLOW_PRIVATE=true to allow it"
                )
    return addresses[0]


# --- signing --------------------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``Coach-Signature`` header value for ``body``."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> int:
    """Check a ``Coach-Signature`` header as a receiver should; the timestamp when it is good.

    Raises ``SignatureError`` for a malformed header, a wrong signature, or a timestamp more
    than ``tolerance`` seconds from now (a replay).
    """
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        raise SignatureError("no timestamp in the signature header") from None
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    if not any(hmac.compare_digest(expected, given) for given in fields.get("v1", [])):
        raise SignatureError("the signature does not match")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError(f"the timestamp is more than {tolerance} s old (a replay?)")
    return timestamp


# --- what is sent -----------------------------------------------------------------------------


def event_body(event_id: str, event: str, created: str, tenant: dict[str, Any], data: Any) -> bytes:
    """A generic webhook's JSON body: the same for every attempt, so the id deduplicates."""
    document = {
        "id": event_id,
        "type": event,
        "created_at": created,
        "tenant": tenant,
        "data": data,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _mrkdwn(text: str) -> str:
    """Slack's escaping: only &, < and > are special."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(summary: str, lines: list[str], link: str | None) -> bytes:
    """A Slack incoming-webhook message: ``text`` for notifications, ``blocks`` for the view."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_mrkdwn(summary)}*"}}
    ]
    if lines:
        body = "\n".join(_mrkdwn(line) for line in lines)[:2900]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body}})
    if link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open Coach"},
                        "url": link,
                    }
                ],
            }
        )
    return json.dumps({"text": summary, "blocks": blocks}).encode()


# --- one POST ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostResult:
    status: int | None  # None: no HTTP answer (refused, timed out, TLS failed)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an address checked beforehand, with SNI and certificate checks for the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(
    url: str, body: bytes, headers: dict[str, str], timeout: float = POST_TIMEOUT
) -> PostResult:
    """POST ``body`` to ``url`` once; redirects are not followed (a 3xx is a failure)."""
    try:
        address = check_url(url)
    except UnsafeURL as exc:
        return PostResult(None, str(exc))
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    conn = kind(host, port, address, timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        response = conn.getresponse()
        response.read(65536)
        return PostResult(response.status, "" if 200 <= response.status < 300 else response.reason)
    except (OSError, http.client.HTTPException) as exc:
        return PostResult(None, f"{type(exc).__name__}: {exc}"[:300])
    finally:
        conn.close()
