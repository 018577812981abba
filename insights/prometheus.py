"""``/metrics`` in the Prometheus text format, for every process at once (counters live in Redis,
state in Postgres, queue depths in the broker)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from config.celery import QUEUES, app
from insights import telemetry
from insights.models import InsightSchedule
from notifications.models import LiveConnection

COUNTERS = {
    "insights_generated_total": "Daily insights written.",
    "insights_failed_total": "Tenants whose insight failed (recorded in InsightFailure).",
    "insights_skipped_total": "Tenants skipped because their insight already existed.",
    "insights_dispatched_total": "Tenants claimed by the dispatcher.",
    "dispatcher_runs_total": "Dispatcher passes.",
    "coach_alerts_total": "Critical recommendations sent as coach alerts.",
    "insight_compute_seconds_total": "CPU time spent computing insights.",
}


def queue_depths() -> dict[str, int]:
    """Messages waiting per queue, declared as the workers declare them (a no-op when it exists;
    a passive declare would fail on Redis for an empty queue, whose key Redis drops)."""
    with app.connection_for_read() as conn, conn.channel() as channel:
        depths: dict[str, int] = {}
        for name in QUEUES:
            declared = app.amqp.queues[name].bind(channel).queue_declare()
            # celery-types says str | None; kombu returns the broker's queue_declare_ok_t.
            depths[name] = declared.message_count  # type: ignore[union-attr]
        return depths


def _lines(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> list[str]:
    lines = [f"# HELP coach_{name} {help_text}", f"# TYPE coach_{name} {kind}"]
    lines += [f"coach_{name}{labels} {value:g}" for labels, value in samples]
    return lines


def refusal(request: HttpRequest) -> HttpResponse | None:
    """The answer for a caller that may not read the figures, or None for one that may.

    They are for the operator's scraper (tenants' activity, queue depths, who is online): with
    ``METRICS_KEY`` set only its bearer token reads them, compared in constant time; without one,
    production refuses everyone rather than publish them, and a developer's machine stays open.
    """
    key: str = settings.METRICS_KEY
    if not key:
        if settings.IS_PRODUCTION:
            return _plain(403, "/metrics is off: set METRICS_KEY to let a scraper read it.")
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode()):
        return None
    response = _plain(401, "/metrics needs the header Authorization: Bearer <METRICS_KEY>.")
    response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain")


def metrics(request: HttpRequest) -> HttpResponse:
    refused = refusal(request)
    if refused is not None:
        return refused
    lines: list[str] = []
    for name, value in telemetry.read(list(COUNTERS)).items():
        lines += _lines(name, "counter", COUNTERS[name], [("", value)])
    oldest_due = (
        InsightSchedule.objects.filter(next_run_at__lte=timezone.now())
        .order_by("next_run_at")
        .values_list("next_run_at", flat=True)
        .first()
    )
    lag = (timezone.now() - oldest_due).total_seconds() if oldest_due else 0.0
    lines += _lines(
        "dispatcher_lag_seconds", "gauge", "How long the oldest due tenant has waited.", [("", lag)]
    )
    depths = [(f'{{queue="{q}"}}', float(d)) for q, d in queue_depths().items()]
    lines += _lines("queue_depth", "gauge", "Messages waiting in each Celery queue.", depths)
    connections = LiveConnection.objects.count()
    lines += _lines(
        "websocket_connections", "gauge", "Open WebSocket connections.", [("", connections)]
    )
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4")
