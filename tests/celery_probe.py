"""Tasks the routing test sends through the real broker. Their names follow the modules that
production tasks live in, so they are routed by the very rules production tasks are."""

from __future__ import annotations

from typing import Any

from config.celery import app


def _where(task: Any) -> dict[str, Any]:
    info = task.request.delivery_info or {}
    return {"queue": info.get("routing_key"), "worker": task.request.hostname}


@app.task(bind=True, name="gateway.tasks.routing_probe")
def default_probe(self: Any) -> dict[str, Any]:
    return _where(self)


@app.task(bind=True, name="insights.tasks.routing_probe")
def insights_probe(self: Any) -> dict[str, Any]:
    return _where(self)


@app.task(bind=True, name="notifications.tasks.routing_probe")
def notifications_probe(self: Any) -> dict[str, Any]:
    return _where(self)


@app.task(bind=True, name="coach.llm_tasks.routing_probe")
def llm_probe(self: Any) -> dict[str, Any]:
    return _where(self)
