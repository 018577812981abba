"""Liveness and readiness against the real services, and a dead one."""

from __future__ import annotations

import copy

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db


def _closed_port_caches() -> dict:
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    return caches


def test_healthz_answers_while_the_process_lives(anon):
    response = anon.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_when_every_service_answers(anon):
    response = anon.get("/readyz")

    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"postgres": "ok", "redis": "ok", "broker": "ok"}


def test_readyz_answers_503_naming_redis_when_the_cache_is_down(anon):
    with override_settings(CACHES=_closed_port_caches()):
        response = anon.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["redis"].startswith("error: ConnectionError")
    assert body["checks"]["postgres"] == "ok"


def test_readyz_names_the_broker_when_it_is_down(anon):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = anon.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
