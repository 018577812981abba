"""Structured logs: request, task and tenant ids on every line, in the real formatters."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from gateway import logs
from gateway.models import Role
from tests.conftest import client_for
from tests.log_probe import log_line
from tests.processes import ROOT, celery_worker

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_lines() -> Iterator[Callable[[], list[dict]]]:
    """What the production handler writes (JSON formatter, context filter), parsed per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.json_formatter())
    handler.addFilter(logs.ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


@pytest.mark.django_db
def test_a_requests_log_line_carries_its_request_id_and_tenant(
    json_lines, tenant, make_user, add_member
):
    # given a viewer of the tenant, who may read it but not change it
    viewer = make_user("vic")
    add_member(tenant, viewer, Role.VIEWER)

    # when a request with an X-Request-ID is refused (Django logs a warning for the 403)
    response = client_for(viewer).patch(
        f"/v1/tenants/{tenant.pk}/", {"name": "Mine now"}, HTTP_X_REQUEST_ID="lb-7f3a.42"
    )

    # then the id is echoed, and the log line is one JSON object with the id and the tenant
    assert response.status_code == 403
    assert response["X-Request-ID"] == "lb-7f3a.42"
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["level"] == "WARNING"
    assert line["message"] == f"Forbidden: /v1/tenants/{tenant.pk}/"
    assert line["request_id"] == "lb-7f3a.42"
    assert line["tenant_id"] == str(tenant.pk)
    assert "task_id" not in line  # unknown fields are left out, not null
    assert line["time"].endswith("+00:00")


@pytest.mark.django_db
def test_a_request_without_an_id_gets_one(api, tenant):
    first = api.get(f"/v1/tenants/{tenant.pk}/")["X-Request-ID"]
    second = api.get(f"/v1/tenants/{tenant.pk}/")["X-Request-ID"]

    assert GENERATED.fullmatch(first)
    assert first != second


@pytest.mark.parametrize(
    "garbage",
    ["x" * 129, "abc\x07def", "abc\tdef", "two words", '"quoted"', "id\x1b[31m", "ünïcode"],
)
def test_a_garbage_request_id_is_replaced_by_a_generated_one(client, garbage):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=garbage)

    assert GENERATED.fullmatch(response["X-Request-ID"])


def test_a_sane_request_id_is_kept(client):
    incoming = "Root=1-5e1b4151-5ac6c58f5b5daa6532e0c8a2;Parent=53995c3f42cd8ad8"

    assert client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming


def test_existing_log_calls_keep_their_message_and_gain_the_fields(json_lines):
    # given a tenant's context, as a task working on one tenant sets it
    with logs.tenant_context("3f1c0000-0000-4000-8000-000000000001"):
        logging.getLogger("insights.dispatch").warning(
            "dispatch failed tenant=%s error=%r", "t1", ValueError("boom")
        )
    logging.getLogger("insights.dispatch").warning("after the block")

    inside, after = json_lines()[-2:]
    assert inside["message"] == "dispatch failed tenant=t1 error=ValueError('boom')"
    assert inside["tenant_id"] == "3f1c0000-0000-4000-8000-000000000001"
    assert "tenant_id" not in after


def test_the_plain_format_is_readable_and_carries_the_known_fields():
    plain = logs.PlainFormatter("%(levelname)s %(name)s %(message)s")
    with logs.tenant_context("t-1"):
        record = logging.LogRecord("coach.llm", logging.INFO, "", 1, "gave up: %s", ("x",), None)
        logs.ContextFilter().filter(record)

    assert plain.format(record) == "INFO coach.llm gave up: x tenant_id=t-1"


@pytest.mark.services
def test_a_tasks_log_line_carries_its_task_id_and_tenant(monkeypatch):
    # given a real worker writing the production format
    monkeypatch.setenv("LOG_FORMAT", "json")
    tenant_id = str(uuid.uuid4())
    with celery_worker(queues="default", include="tests.log_probe") as (_, node):
        # when a task that logs runs on it
        result = log_line.delay(tenant_id)
        assert result.get(timeout=30) == "logged"

        # then its line is JSON, with the task's id and the tenant it worked on
        worker_log = ROOT / f".worker-{node.split('@')[0]}.log"  # where celery_worker writes
        deadline = time.monotonic() + 10
        while True:
            text = worker_log.read_text()
            lines = [json.loads(s) for s in text.splitlines() if s.startswith("{")]
            probes = [line for line in lines if line["logger"] == "tests.log_probe"]
            if probes or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert probes, f"no JSON line from the task in the worker's output:\n{text[-2000:]}"
    [probe] = probes
    assert probe["message"] == f"probe tenant={tenant_id}"
    assert probe["task_id"] == result.id
    assert probe["tenant_id"] == tenant_id


def _log_a_line(**env: str) -> subprocess.CompletedProcess:
    """Start Django as a process would with ``env`` and log one warning; its output."""
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('coach.probe').warning('cash low tenant=%s', 't1')"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_logs_json_and_development_plain_text():
    production = _log_a_line(COACH_ENV="production", SECRET_KEY="s" * 40, ALLOWED_HOSTS="x.example")
    development = _log_a_line(COACH_ENV="development")

    assert json.loads(production.stderr)["message"] == "cash low tenant=t1", production.stderr
    assert development.stderr.rstrip().endswith(" WARNING coach.probe cash low tenant=t1")


def test_an_unknown_log_format_stops_start_up_naming_the_variable():
    result = _log_a_line(LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT='xml' must be json or plain" in result.stderr
