"""Who the client is, behind ``NUM_PROXIES`` trusted proxies.

``X-Forwarded-For`` is written by whoever sends the request: only the entries our own proxies
appended can be believed. Each proxy appends the address it received the request from, so with
``N`` proxies in front the client is the ``N``-th entry from the right, and everything left of it
is the client's own say. With no proxy (``NUM_PROXIES=0``, the default) the header is ignored and
the client is the peer of the TCP connection. This is DRF's ``NUM_PROXIES`` rule; the login
throttles and the lockout (django-axes) read the address through :func:`client_ip`, so they
agree. Daphne's ``--proxy-headers`` is not used: it trusts the leftmost entry, the one a client
writes itself.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def forwarded_client(remote_addr: str, forwarded_for: str | None, num_proxies: int) -> str:
    """The client's address: ``remote_addr``, or the entry the outermost trusted proxy appended.

    An entry that is not an IP address (a proxy never writes one) is not believed: the peer's
    address is used instead, so the result is always an address the lockout can store.
    """
    if num_proxies <= 0 or not forwarded_for:
        return remote_addr
    entries = [entry for entry in forwarded_for.split(",") if entry.strip()]
    if not entries:
        return remote_addr
    return _address(entries[-min(num_proxies, len(entries))]) or remote_addr


def client_ip(request: HttpRequest) -> str:
    """The client address of a Django request (also ``AXES_CLIENT_IP_CALLABLE``)."""
    return forwarded_client(
        request.META.get("REMOTE_ADDR") or "",
        request.META.get("HTTP_X_FORWARDED_FOR"),
        settings.NUM_PROXIES,
    )
