"""What daphne does that its command line cannot configure: message size, overload, form bodies.

Message size: past its limit, close 4009 instead of dropping the TCP connection.

daphne refuses messages and frames over ``--websocket-max-message-size`` and
``--websocket-max-frame-size`` (1 MiB each by default) in autobahn, as soon as the frame's header
announces the length, before buffering it. autobahn then *drops* the TCP connection
(``failByDrop``, its default, which daphne does not change): the client sees no close code and
cannot tell "too big, fix the client" from a network failure, so it reconnects and sends the
same frame again. Smaller messages reach the consumer, which closes with 4009 above
``NOTIFICATIONS_MAX_MESSAGE_BYTES``; this makes the server's own limit answer the same 4009 with
a closing handshake. The payload is still never buffered.

daphne's command line exposes no protocol option for it, so the hook is installed on daphne's
protocol class when the ASGI module is loaded by daphne (``config.asgi``). Under another server
(uvicorn) nothing is changed: its limit closes with 1009.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

# notifications.consumers.CLOSE_MESSAGE_TOO_BIG (not imported: config must not depend on apps)
CLOSE_MESSAGE_TOO_BIG = 4009


def _too_big(self: Any, msg_size: int, max_msg_size: int, reason: str) -> None:
    """autobahn's hook for an oversized message or frame: fail with a closing handshake."""
    self.failByDrop = False  # this connection only; the rest of its frames are discarded
    self._fail_connection(CLOSE_MESSAGE_TOO_BIG, reason)


def install_message_size_close() -> bool:
    """Patch daphne's WebSocket protocol when daphne is the server; True when installed."""
    module = sys.modules.get("daphne.ws_protocol")
    if module is None:
        return False
    protocol = module.WebSocketProtocol
    if not hasattr(protocol, "_max_message_size_exceeded"):  # an autobahn without the hook
        return False
    protocol._max_message_size_exceeded = _too_big
    return True


BUSY_BODY = b'{"detail": "The server is busy: try again in a moment."}'
BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Retry-After: 1\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: " + str(len(BUSY_BODY)).encode() + b"\r\n"
    b"Connection: close\r\n\r\n" + BUSY_BODY
)


def install_overload_refusal(behind: Callable[[], bool]) -> bool:
    """Under daphne, answer a new TCP connection 503 at once while ``behind()`` says so.

    Refusing inside the application comes too late in a reconnect storm: by then daphne has
    accepted the connection, parsed its HTTP request and the WebSocket handshake, and queued
    it behind every other, which is most of a connect's cost. This answers before any of it:
    the request's head is read and discarded, a fixed ``503`` with ``Retry-After: 1`` is written
    and the connection closed. Clients retry with their backoff (the console's ws.js sees a
    failed handshake, like any other). It is daphne's counterpart of uvicorn's
    ``--limit-concurrency``; every request of the process is refused alike while it lasts.
    """
    module = sys.modules.get("daphne.http_protocol")
    if module is None:
        return False
    from twisted.internet import protocol, reactor

    clock: Any = reactor  # Twisted's interfaces (zope) do not type-check as classes

    class Busy(protocol.Protocol):
        received = 0
        _timeout: Any = None

        def connectionMade(self) -> None:
            # A client that never sends its request is not kept waiting for it.
            link: Any = self.transport
            self._timeout = clock.callLater(2.0, link.abortConnection)

        def dataReceived(self, data: bytes) -> None:
            self.received += len(data)
            if b"\r\n\r\n" in data or self.received > 16_384:
                link: Any = self.transport
                link.write(BUSY_RESPONSE)
                link.loseConnection()

        def connectionLost(self, reason: object = None) -> None:
            if self._timeout is not None and self._timeout.active():
                self._timeout.cancel()

    factory = module.HTTPFactory
    build = getattr(factory, "_coach_build", None) or factory.buildProtocol

    def buildProtocol(self: Any, addr: Any) -> Any:
        if behind():
            return Busy()
        return build(self, addr)

    factory._coach_build = build
    factory.buildProtocol = buildProtocol
    return True


def install_raw_form_bodies() -> bool:
    """Under daphne, stop Twisted parsing multipart and urlencoded POST bodies itself.

    Twisted's ``Request`` parses a form POST's whole body into ``request.args`` (through the
    ``email`` package) before daphne passes the raw body on to the application, which parses it
    again; daphne never reads ``args``. For a 5.7 MB statement upload that parse held 55 MB at
    the web process's peak, growing with the file (measured with memray,
    ``benchmarks/imports.py``; Twisted's own docs warn of it). Twisted's
    ``parsePOSTFormSubmission=False`` turns it off; daphne's request class is replaced by one
    passing it, which daphne's factory picks up when it builds each connection's protocol.
    """
    module = sys.modules.get("daphne.http_protocol")
    if module is None:
        return False
    base: Any = module.WebRequest
    if getattr(base, "_coach_raw_form_bodies", False):
        return True

    class RawFormBodyRequest(base):
        _coach_raw_form_bodies = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("parsePOSTFormSubmission", False)
            super().__init__(*args, **kwargs)

    setattr(module, "WebRequest", RawFormBodyRequest)  # noqa: B010 - a module mypy cannot see
    return True
