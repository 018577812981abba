"""Settings of the servers the benchmarks start: the project's own, plus a floor to compare with.

``BENCH_LAYER`` picks the channel layer under test, so one run measures several:
``core`` (the project's setting as is), ``core-tuned`` (capacity and pool sized for bursts and
reconnect storms) and ``pubsub`` (channels-redis' pub/sub layer).
"""

from __future__ import annotations

import os

from config.settings import *  # noqa: F403
from config.settings import CHANNEL_LAYERS

ROOT_URLCONF = "benchmarks.urls"

_layer = os.environ.get("BENCH_LAYER", "core")
_config = CHANNEL_LAYERS["default"]["CONFIG"]
if _layer == "pubsub":
    CHANNEL_LAYERS["default"]["BACKEND"] = "channels_redis.pubsub.RedisPubSubChannelLayer"
elif _layer == "core-tuned":
    # Every message for every socket of a web process goes to one Redis key, so its capacity
    # must hold a whole burst (a tenant-wide notify); the pool must survive a connect storm.
    _config["capacity"] = 20_000
    _config["expiry"] = 30
    _config["hosts"] = [{"address": _config["hosts"][0], "max_connections": 2000}]
elif _layer != "core":
    raise ValueError(f"BENCH_LAYER={_layer!r}: use core, core-tuned or pubsub")
