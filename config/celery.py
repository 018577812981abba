"""The Celery app: queues, routes and the reliability settings every Coach task relies on.

Tasks are written to be idempotent, so they are acknowledged late (after they finish) and
re-queued when their worker process dies; a redelivered task redoes work that is safe to redo.
"""

from __future__ import annotations

import os
from typing import Any, TypedDict

from celery import Celery
from celery.signals import setup_logging
from django.db import InterfaceError, OperationalError
from kombu import Queue
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config import kombu_guard

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Celery 5.7.0 with kombu's Redis transport exits the worker when Redis is down at the moment it
# cleans up a lost connection (docs/kombu-restore-unacked.md); the guard keeps it reconnecting.
kombu_guard.install()

app = Celery("coach")


@setup_logging.connect
def _log_as_django_does(**_: object) -> None:
    """Workers and Beat log through settings.LOGGING (JSON or plain, with task_id and
    tenant_id), not Celery's own format: connecting here stops Celery from taking over the
    root logger. The level is LOG_LEVEL; ``--loglevel`` is not consulted."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("default", "insights", "notifications", "llm")

app.conf.update(
    task_queues=[Queue(name) for name in QUEUES],
    task_default_queue="default",
    # Routed by the module a task lives in, so a new task lands on its app's pool by default.
    task_routes={
        # Beat's sweep (README, "Faults and security") never waits behind a morning's batches.
        "insights.tasks.publish_pending": {"queue": "default"},
        "insights.tasks.*": {"queue": "insights"},
        "notifications.tasks.*": {"queue": "notifications"},
        "coach.llm_tasks.*": {"queue": "llm"},
    },
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=3600,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # Long tasks: a worker takes one message at a time so a busy process does not hoard work.
    worker_prefetch_multiplier=1,
    task_track_started=True,
    broker_connection_retry_on_startup=True,
    worker_send_task_events=True,
    task_send_sent_event=True,
    beat_scheduler="django_celery_beat.schedulers:DatabaseScheduler",
    timezone="UTC",
    enable_utc=True,
)
app.autodiscover_tasks()

# Beat's periodic tasks, declared in code. Beat runs django-celery-beat's DatabaseScheduler,
# which at start-up writes each entry into its tables by name (creating it, or bringing an
# existing row's task, interval and queue back to these), so every deployment gets them without
# a data migration. The admin can still disable one: the scheduler keeps a row's ``enabled``.
DISPATCH_ENTRY = "insights: dispatch due insights"
PRUNE_ENTRY = "notifications: prune stale live connections"
PUBLISH_PENDING_ENTRY = "insights: publish pending work"
SWEEP_ENTRY = "notifications: send due deliveries"
REMINDERS_ENTRY = "coach: plan reminders"


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The entries, read from settings when Celery's configuration is loaded, not at import
    (this module is imported while Django's settings are still being read)."""
    from django.conf import settings

    return {
        DISPATCH_ENTRY: {
            "task": "insights.tasks.dispatch_due_insights",
            "schedule": float(settings.INSIGHT_DISPATCH_EVERY),
            "options": {"queue": "insights"},
        },
        PRUNE_ENTRY: {
            "task": "notifications.tasks.prune_stale_connections",
            "schedule": 300.0,
            "options": {"queue": "notifications"},
        },
        # Work owed after a commit whose message was lost (README, "Faults and security").
        PUBLISH_PENDING_ENTRY: {
            "task": "insights.tasks.publish_pending",
            "schedule": float(settings.COACH_SWEEP_EVERY),
            "options": {"queue": "default"},
        },
        SWEEP_ENTRY: {
            "task": "notifications.tasks.sweep_deliveries",
            "schedule": 60.0,
            "options": {"queue": "notifications"},
        },
        REMINDERS_ENTRY: {
            "task": "coach.tasks.send_plan_reminders",
            "schedule": 900.0,
            "options": {"queue": "default"},
        },
    }


@app.on_after_configure.connect
def _declare_beat_schedule(sender: Celery, **kwargs: Any) -> None:
    sender.conf.beat_schedule = beat_schedule()


# Transient failures worth a retry: Postgres or Redis went away for a moment. Tasks declared
# with ``@app.task(**RETRYING)`` retry them with exponential backoff and jitter, at most 5 times
# (about a minute and a half in all); any other error fails the task at once.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


class RetryOptions(TypedDict):
    """Keyword arguments of ``@app.task``, typed so that the task decorators check them."""

    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: int
    retry_backoff_max: int
    retry_jitter: bool
    max_retries: int


RETRYING: RetryOptions = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}
