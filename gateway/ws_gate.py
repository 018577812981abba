"""Load shedding for WebSocket connects: a storm past what a web process can take is refused fast.

When a web process restarts, all its clients come back at once. Each connect costs the process
a handshake, a token lookup, a group join and a connection row, and every step of every connect
waits a turn of one event loop; past a point the waits pass the handshake timeouts (daphne's
5 s, the client's), clients retry, and the process does more work for fewer connections
(congestion collapse: everyone times out). So a process that is *behind* refuses new connects
at once, before spending anything on them:

- behind: during a storm (at least ``WS_SHED_FLOOR``, 50, connects in progress: from the
  handshake until the connection row exists), its event loop runs timers more than
  ``WS_LOOP_LAG_BUDGET_SECONDS`` (0.5 s) late, or the oldest connect in progress is older than
  ``WS_CONNECT_BUDGET_SECONDS`` (2 s); or ``WS_MAX_CONNECTING`` (10,000) are in progress;
- under daphne a new TCP connection then gets a fixed HTTP 503 with ``Retry-After: 1`` before
  its request is parsed (``config.websocket_server.install_overload_refusal``); one that got
  past that is accepted and closed with 4013, "try again later" (docs/notifications.md).

Clients retry either with their backoff and jitter (the console's ws.js: 0.5 s doubling to
30 s), so a storm too big for the process is spread over the next seconds instead of timing out.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from config.env import env_float, env_int

if TYPE_CHECKING:
    from asgiref.typing import ASGIReceiveCallable, ASGISendCallable

# notifications.consumers.CLOSE_TRY_AGAIN_LATER (gateway does not import notifications)
CLOSE_TRY_AGAIN_LATER = 4013
logger = logging.getLogger(__name__)

# The key of the scope under which a consumer says its connect work is done.
SCOPE_KEY = "coach.connect_done"


class LoopLag:
    """How late this process's event loop runs a timer that should fire every ``interval``.

    Under daphne one event loop does every handshake, every socket's messages and the
    channel layer; when it is saturated, each step of every connect waits a full turn of
    everything else that is ready. The lag is that turn: a direct measure of how far behind the
    process is, before any queue inside the application shows it.
    """

    interval = 0.05

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last = 0.0
        self._next = 0.0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is not loop:
            self._loop, self._last = loop, 0.0
            self._schedule(loop)

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        self._next = loop.time() + self.interval
        loop.call_at(self._next, self._tick, loop)

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop is self._loop:  # a loop replaced by start() stops ticking here
            self._last = loop.time() - self._next
            self._schedule(loop)

    @property
    def seconds(self) -> float:
        """The lag: the last one measured, or how overdue the next timer already is."""
        if self._loop is None or self._loop.is_closed():
            return 0.0
        return max(self._last, self._loop.time() - self._next)


class ConnectGate:
    """ASGI middleware: refuse a WebSocket connect at once (4013) while this process is behind.

    Behind means: the oldest connect in progress has been at it for more than ``budget``
    seconds (the queue it waits in is already longer than a client should wait, and well within
    daphne's 5 s handshake timeout), or ``limit`` connects are in progress. The age of the oldest
    is the signal (as in CoDel), not a count: it holds on a fast machine and a slow one, and when
    the database or Redis slows down as well as when the CPU runs out.
    """

    def __init__(
        self,
        application: Any,
        *,
        budget: float | None = None,
        limit: int | None = None,
        lag_budget: float | None = None,
        floor: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.application = application
        self.budget = (
            budget if budget is not None else env_float("WS_CONNECT_BUDGET_SECONDS", 2.0, minimum=0)
        )
        self.limit = limit if limit is not None else env_int("WS_MAX_CONNECTING", 10_000, minimum=1)
        self.lag_budget = (
            lag_budget
            if lag_budget is not None
            else env_float("WS_LOOP_LAG_BUDGET_SECONDS", 0.5, minimum=0)
        )
        self.floor = floor if floor is not None else env_int("WS_SHED_FLOOR", 50, minimum=1)
        self.lag = LoopLag()
        self.clock = clock
        self._started: dict[int, float] = {}  # connects in progress, oldest first
        self._ids = itertools.count()
        self.refused = 0  # since the process started, for the logs and tests

    @property
    def connecting(self) -> int:
        return len(self._started)

    def behind(self) -> bool:
        """True when a new connect (or, under daphne, a new TCP connection) should be refused.

        Only during a storm (at least ``floor`` connects in progress): a slow moment of a
        process with a few handshakes under way, or a burst of plain HTTP, is never shed.
        """
        connecting = len(self._started)
        if connecting >= self.limit:
            return True
        if connecting < self.floor:
            return False
        if self.lag.seconds > self.lag_budget:
            return True
        oldest = next(iter(self._started.values()))
        return self.clock() - oldest > self.budget

    async def __call__(
        self, scope: Any, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] != "websocket":
            return await self.application(scope, receive, send)
        self.lag.start(asyncio.get_running_loop())
        if self.behind():
            self.refused += 1
            if self.refused % 1000 == 1:
                logger.warning(
                    "WebSocket connects refused with 4013 (%d so far): %d in progress",
                    self.refused,
                    len(self._started),
                )
            await refuse(receive, send)
            return None
        ticket = next(self._ids)
        self._started[ticket] = self.clock()

        def done() -> None:
            self._started.pop(ticket, None)

        try:
            return await self.application({**scope, SCOPE_KEY: done}, receive, send)
        finally:
            done()


async def refuse(receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
    """Accept the handshake and close with 4013 at once: a code the client can act on.

    (Closing before accepting would reach the client as HTTP 403, which reads as forbidden and
    which a browser hides from the page altogether.)
    """
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept", "subprotocol": None, "headers": []})
    await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER, "reason": ""})
