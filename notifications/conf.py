"""Tunables of live delivery, from Django settings or the environment, with safe defaults.

Read at call time through ``setting()`` so tests can override them with Django's ``settings``
fixture, and subprocesses (daphne) through environment variables of the same name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from config.env import env_float, env_int

# Newest notifications kept per user and tenant; older ones are pruned as new ones arrive.
INBOX_CAP = 200

_DEFAULTS: dict[str, Any] = {
    # Clients ping every 30 s; 75 s tolerates one lost ping plus network jitter.
    "NOTIFICATIONS_HEARTBEAT_TIMEOUT": lambda: env_float(
        "NOTIFICATIONS_HEARTBEAT_TIMEOUT", 75.0, minimum=0.1
    ),
    # A client message is a few dozen bytes; 4 KB leaves room and refuses abuse early.
    "NOTIFICATIONS_MAX_MESSAGE_BYTES": lambda: env_int(
        "NOTIFICATIONS_MAX_MESSAGE_BYTES", 4096, minimum=64
    ),
    # Token bucket per connection: a well-behaved client sends one ping per 30 s and a few acks.
    "NOTIFICATIONS_FLOOD_RATE": lambda: env_float("NOTIFICATIONS_FLOOD_RATE", 20.0, minimum=0.1),
    "NOTIFICATIONS_FLOOD_BURST": lambda: env_int("NOTIFICATIONS_FLOOD_BURST", 60, minimum=1),
    # How often each web process checks that Redis is the one it subscribed on: a restart or an
    # outage is noticed within this, and the process's sockets are closed so clients resume.
    "NOTIFICATIONS_LAYER_CHECK_SECONDS": lambda: env_float(
        "NOTIFICATIONS_LAYER_CHECK_SECONDS", 2.0, minimum=0.05
    ),
    # Each web process marks its live connections as seen this often (one UPDATE per process).
    "NOTIFICATIONS_SERVER_TOUCH_SECONDS": lambda: env_float(
        "NOTIFICATIONS_SERVER_TOUCH_SECONDS", 60.0, minimum=0.1
    ),
    # Rows not seen for this long belong to a dead process; five missed touches.
    "NOTIFICATIONS_STALE_SECONDS": lambda: env_float(
        "NOTIFICATIONS_STALE_SECONDS", 300.0, minimum=1.0
    ),
    # Channels out (notifications/delivery.py). A sender holds a delivery this long; a worker
    # that dies mid-send leaves it to run out, then the sweep hands the delivery to another.
    # Longer than an SMTP exchange (EMAIL_TIMEOUT) or a webhook POST (10 s) can take.
    "NOTIFICATIONS_SEND_LEASE_SECONDS": lambda: env_float(
        "NOTIFICATIONS_SEND_LEASE_SECONDS", 120.0, minimum=0.1
    ),
    # Retries: the first after this many seconds, each next one 4 times later, capped at 6 h:
    # 1 min, 4 min, 16 min, 1 h, 4.3 h, 6 h, 6 h: about 18 hours over 8 attempts.
    "NOTIFICATIONS_RETRY_BASE_SECONDS": lambda: env_float(
        "NOTIFICATIONS_RETRY_BASE_SECONDS", 60.0, minimum=0.01
    ),
    "NOTIFICATIONS_MAX_ATTEMPTS": lambda: env_int("NOTIFICATIONS_MAX_ATTEMPTS", 8, minimum=1),
    # A destination failing this many attempts in a row is disabled and its owners told.
    "NOTIFICATIONS_DISABLE_AFTER": lambda: env_int("NOTIFICATIONS_DISABLE_AFTER", 15, minimum=1),
}


def setting(name: str) -> Any:
    """The Django setting ``name`` if defined, else the environment variable, else the default."""
    if hasattr(settings, name):
        return getattr(settings, name)
    return _DEFAULTS[name]()
