"""Counters and gauges shared by every process, kept in Redis so /metrics sees them all."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from typing import Any

import redis
from django.conf import settings

log = logging.getLogger(__name__)

PREFIX = "coach:metrics:"


@cache
def client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def _key(name: str) -> str:
    return f"{PREFIX}{settings.CACHE_KEY_PREFIX}:{name}"


def incr(name: str, amount: float = 1) -> None:
    """Add to a counter; telemetry never fails the work it describes."""
    if not amount:
        return
    try:
        client().incrbyfloat(_key(name), amount)
    except redis.RedisError as exc:
        log.warning("metrics counter %s not updated: %r", name, exc)


def set_gauge(name: str, value: float) -> None:
    try:
        client().set(_key(name), value)
    except redis.RedisError as exc:
        log.warning("metrics gauge %s not updated: %r", name, exc)


def read(names: Sequence[str]) -> dict[str, float]:
    values = client().mget([_key(name) for name in names])
    return {name: float(value or 0) for name, value in zip(names, values, strict=True)}


def record_batch(result: Any, computed_ms: Sequence[float]) -> None:
    incr("insights_generated_total", len(result.done))
    incr("insights_failed_total", len(result.failed))
    incr("insights_skipped_total", len(result.skipped))
    incr("coach_alerts_total", result.alerts)
    incr("insight_compute_seconds_total", sum(computed_ms) / 1000)
