"""Many coroutines' database work in one trip to the database thread.

Under daphne every ``database_sync_to_async`` call of every socket runs on one thread, one after
the other, and each costs a thread hop, a query and a commit. A reconnect storm is thousands of
sockets asking the same thing at once (whose token is this, open my connection row): asked one
by one, they queue behind each other until handshakes time out and clients retry, which adds
work faster than it is done. A ``Coalescer`` runs what is asked while a trip is under way as the
next trip, with one set-based statement for all of it: the more sockets wait, the bigger (and so
the cheaper per socket) the next trip, never a longer queue of trips.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from channels.db import database_sync_to_async

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Queue(Generic[T, R]):
    """What one event loop has asked and not yet sent."""

    waiting: list[tuple[T, asyncio.Future[R]]] = field(default_factory=list)
    runner: asyncio.Task[None] | None = None


class Coalescer(Generic[T, R]):
    """``await coalescer(item)`` -> ``run_many([...items])[i]``, run on the database thread.

    ``run_many`` takes a list of items and returns one result per item, in order; it runs in one
    ``database_sync_to_async`` call per batch of at most ``max_batch``. An exception fails the
    batch it was raised in (every caller in it gets it), not the next one.
    """

    def __init__(self, run_many: Callable[[list[T]], Sequence[R]], max_batch: int = 1000) -> None:
        self._run_many = database_sync_to_async(run_many)
        self.max_batch = max_batch
        self.batches = 0  # trips made, for tests and benchmarks
        # One queue per event loop (tests run several; a server runs one).
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[T, R]] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        future: asyncio.Future[R] = loop.create_future()
        queue.waiting.append((item, future))
        if queue.runner is None or queue.runner.done():
            queue.runner = loop.create_task(self._drain(queue))
        return await future

    async def _drain(self, queue: _Queue[T, R]) -> None:
        await asyncio.sleep(0)  # whoever asks in this same turn of the loop joins this trip
        while queue.waiting:
            batch = queue.waiting[: self.max_batch]
            del queue.waiting[: self.max_batch]
            live = [(item, future) for item, future in batch if not future.done()]
            if not live:
                continue
            self.batches += 1
            try:
                results = await self._run_many([item for item, _ in live])
            except BaseException as exc:
                for _, future in live:
                    if not future.done():
                        future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise  # cancelled: its callers were told, the loop is going away
                continue
            for (_, future), result in zip(live, results, strict=True):
                if not future.done():  # a caller that gave up (its socket closed) is skipped
                    future.set_result(result)
