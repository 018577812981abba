"""Structured logs: which request, task and tenant every log line belongs to.

One line per event. ``LOG_FORMAT=json`` (the production default) writes one JSON object per
line for a log pipeline; ``plain`` (development and test) writes readable text. Either way a
line carries ``request_id``, ``task_id`` and ``tenant_id`` when they are known:

- ``request_id``: set by ``RequestIdMiddleware`` from a sane incoming ``X-Request-ID`` (a load
  balancer's or a client's), else generated; echoed in the response's ``X-Request-ID``.
- ``task_id``: the Celery task being run in this thread (``celery.current_task``).
- ``tenant_id``: set by ``TenantScopedMixin`` once the caller's membership is resolved, and by
  work on one tenant inside a task (``with tenant_context(tenant_id):``).

The values live in context variables, so they follow a request through asgiref's thread hops
and never leak between concurrent requests. Existing %-style log calls stay as they are: their
message is kept, the fields are added.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from celery import current_task
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
CONTEXT_FIELDS = ("request_id", "task_id", "tenant_id")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
tenant_id_var: ContextVar[str | None] = ContextVar("tenant_id", default=None)

# What an id from outside may look like: UUIDs, hex, trace ids (``Root=1-5e1b…;Parent=…``).
# Anything else (too long, control characters, spaces, quotes) could forge or break log lines.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:;=+/-]{1,128}")


def sane_request_id(incoming: str | None) -> str:
    """The incoming id when it is sane, else a new one (32 hex characters)."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def set_tenant(tenant_id: UUID | str | None) -> None:
    """Tag the rest of this request's log lines with the tenant (the next request resets it)."""
    tenant_id_var.set(str(tenant_id) if tenant_id is not None else None)


@contextmanager
def tenant_context(tenant_id: UUID | str) -> Iterator[None]:
    """Tag the log lines written inside the block with the tenant: for tasks, per tenant."""
    token = tenant_id_var.set(str(tenant_id))
    try:
        yield
    finally:
        tenant_id_var.reset(token)


class RequestIdMiddleware:
    """Gives every request an id, in its log lines and in the response's ``X-Request-ID``.

    The context is cleared when the response is closed (``request_finished``), not when the
    middleware returns: Django writes its own "Forbidden: …" and "Internal Server Error: …"
    lines after that, and they should carry the ids too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER))
        request_id_var.set(request_id)
        tenant_id_var.set(None)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="gateway.logs.forget_request")
def _forget_request(**_: object) -> None:
    """A thread that served a request (WSGI, tests) does not tag what it logs next with it."""
    request_id_var.set(None)
    tenant_id_var.set(None)


def _current_task_id() -> str | None:
    if not current_task:  # a proxy, false outside a task
        return None
    task_id: str | None = current_task.request.id
    return task_id


class ContextFilter(logging.Filter):
    """Adds request_id, task_id and tenant_id to a record when known; an explicit extra wins.

    Attach it to handlers (not loggers): a logger's filters do not see the records that its
    children propagate to it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        known = {
            "request_id": request_id_var.get(),
            "task_id": _current_task_id(),
            "tenant_id": tenant_id_var.get(),
        }
        for name, value in known.items():
            if value is not None and getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


class PlainFormatter(logging.Formatter):
    """Readable lines for development: the usual line, then ``key=value`` for known fields."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        fields = [
            f"{name}={getattr(record, name)}"
            for name in CONTEXT_FIELDS
            if getattr(record, name, None) is not None
        ]
        return " ".join([line, *fields])


def json_formatter(**options: Any) -> JsonFormatter:
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, then the fields.

    ``extra={...}`` given to a log call and the context fields become keys of their own; an
    exception becomes ``exc_info`` (its traceback as text).
    """
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
        json_ensure_ascii=False,
        **options,
    )
