"""What daphne does with a WebSocket message past its size limit: close 4009, not a dropped TCP.

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
