"""At scale: COPY'd rows equal what the ORM would write; batches and dispatcher passes cost a
constant number of queries whatever their size."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from coach.models import Recommendation
from coach.services import build_evidence, build_recommendations
from gateway.models import Tenant
from insights import daily, dispatch
from insights.financials import load_periods
from insights.models import Insight, InsightSchedule
from insights.pipeline.bulk_copy import allocate_ids, copy_in
from insights.services import assess
from notifications.models import Notification

pytestmark = pytest.mark.django_db

DAY = date(2026, 2, 10)


def test_copied_recommendations_equal_what_the_engine_built(make_tenant, books):
    # given a tenant whose books call for several recommendations
    tenant = make_tenant()
    books(tenant, "cash_crunch")
    candidates = assess(
        load_periods(tenant), currency=tenant.currency, tenant_name=tenant.name, today=DAY
    ).candidates
    evidence = build_evidence(tenant, candidates, day=DAY)
    expected = build_recommendations(tenant, candidates, issued_on=DAY, evidence=evidence)

    # when the batch writes them
    daily.run_batch([(tenant.pk, DAY)])

    # then every field reads back as built, defaults included, ids in ranked order
    insight = Insight.objects.get(tenant=tenant, local_date=DAY)
    stored = list(insight.recommendations.order_by("id"))
    assert len(stored) == len(expected) > 1
    for got, want in zip(stored, expected, strict=True):
        for field in (
            "template_key",
            "category",
            "priority",
            "score",
            "title",
            "body",
            "figures",
            "evidence_metrics",
            "series",
            "cash_flow",
            "key_metrics",
            "actions",
            "questions",
            "currency",
            "issued_on",
            "status",
            "enrichment_status",
        ):
            assert getattr(got, field) == getattr(want, field), field
        assert got.evidence_id == stored[0].evidence_id  # one evidence row for the insight
        assert got.enriched_title is None
        assert got.created_at is not None
    assert insight.health["overall"] == insight.score
    assert insight.generated_at is not None


def test_copy_reports_a_duplicate_as_an_integrity_error(make_tenant, books):
    tenant = make_tenant()
    books(tenant, "healthy")
    daily.run_batch([(tenant.pk, DAY)])
    again = Insight(tenant=tenant, local_date=DAY, generated_at=Insight.objects.get().generated_at)

    def write() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            allocate_ids(cursor, [again])
            copy_in(cursor, [again])

    with pytest.raises(IntegrityError):
        write()


def _batch_queries(make_tenant, books, count: int, story: str = "healthy") -> int:
    tenants: list[Tenant] = []
    for _ in range(count):
        tenant = make_tenant()
        books(tenant, story)
        tenants.append(tenant)
    with CaptureQueriesContext(connection) as captured:
        result = daily.run_batch([(t.pk, DAY) for t in tenants])
    assert len(result.done) == count
    return len(captured.captured_queries)


def test_a_batch_costs_the_same_number_of_queries_whatever_its_size(make_tenant, books):
    small = _batch_queries(make_tenant, books, 2)
    large = _batch_queries(make_tenant, books, 8)

    assert small == large


def test_alerts_cost_the_same_queries_for_two_critical_tenants_as_for_eight(make_tenant, books):
    # every cash-crunch tenant gets a critical alert for each of its members
    small = _batch_queries(make_tenant, books, 2, "cash_crunch")
    large = _batch_queries(make_tenant, books, 8, "cash_crunch")

    assert small == large
    assert Notification.objects.filter(kind="coach_alert").count() == 10


def test_the_collector_runs_again_after_a_batch_even_one_that_fails(make_tenant, monkeypatch):
    tenant = make_tenant()
    monkeypatch.setattr(daily, "plan", lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError))

    with pytest.raises(RuntimeError):
        daily.run_batch([(tenant.pk, DAY)])

    assert gc.isenabled()
    assert not Recommendation.objects.exists()


def test_a_dispatcher_pass_costs_the_same_queries_whatever_the_number_due(make_tenant):
    at = datetime(2026, 2, 10, 1, tzinfo=UTC)

    def dispatch_due_tenants(count: int) -> int:
        tenants = [make_tenant("Asia/Kolkata", 6) for _ in range(count)]
        InsightSchedule.objects.filter(tenant__in=tenants).update(
            next_run_at=at - timedelta(hours=1)
        )
        with CaptureQueriesContext(connection) as captured:
            result = dispatch.dispatch_due(at, publish=lambda items, when: None, batch_size=2)
        assert result.due == count
        for schedule in InsightSchedule.objects.filter(tenant__in=tenants):
            assert schedule.next_run_at > at  # leased
            assert schedule.dispatched_at is not None
        return len(captured.captured_queries)

    assert dispatch_due_tenants(2) == dispatch_due_tenants(6)
