"""A guard around a kombu bug that makes a Celery worker exit when Redis goes away mid-task.

kombu's Redis transport (5.7.0, the newest release; see docs/kombu-restore-unacked.md) restores
a channel's unacknowledged messages when the channel closes. After a broker connection loss the
worker closes the broken connection twice: ``collect()`` first, which also detaches the transport
from its connection (``transport.client = None``), then ``close()``. When Redis is still down at
the first attempt, the restore raises a connection error and is tried again on ``close()``, where
building a Redis client reads ``transport.client.hostname``: an ``AttributeError`` that is not a
connection error, escapes Celery's reconnect loop and stops the worker ("Unrecoverable error").

The guard turns that ``AttributeError`` into what it means, a connection error: a channel whose
transport was detached cannot reach Redis. Every caller already handles connection errors: the
close gives up on the restore, an acknowledgement of a task that finished meanwhile is logged as
"Couldn't ack", and the worker reconnects. Nothing is lost: the messages are still in Redis'
unacked index (when Redis kept its data), where a worker's ``restore_visible`` brings them back
after the visibility timeout (a redelivered task is redone, and every task is safe to redo), and
every Coach task that must happen also has a lease in Postgres that a periodic sweep re-publishes
(README, "Faults and security"). When Redis lost its data, there was nothing left to restore.
"""

from __future__ import annotations

import functools
from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

_Channel: Any = kombu_redis.Channel  # private API: not in the type stubs
_original = _Channel._connparams


@functools.wraps(_original)
def _connparams(self: Any, asynchronous: bool = False) -> Any:
    transport = getattr(self, "connection", None)
    if transport is None or getattr(transport, "client", None) is None:
        raise RedisConnectionError("the broker connection was closed (kombu channel detached)")
    return _original(self, asynchronous=asynchronous)


def install() -> None:
    """Patch kombu's Redis channel once (idempotent)."""
    if getattr(_Channel._connparams, "__coach_guard__", False):
        return
    _connparams.__coach_guard__ = True  # type: ignore[attr-defined]
    _Channel._connparams = _connparams
