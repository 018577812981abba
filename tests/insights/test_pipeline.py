"""One writer: every caller of the insight pipeline writes the same insight for the same books,
alerts once and schedules enrichment once; replacing withdraws and never deletes what users made;
a change of books re-scores today's insight."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from celery.signals import before_task_publish

from coach.models import ActionPlan, Conversation, Recommendation, Status
from coach.models import Message as ChatMessage
from coach.services import ranked
from config.celery import app
from feedback.models import Feedback
from gateway.models import Tenant
from insights import daily
from insights.financials import load_periods
from insights.models import FinancialPeriod, Insight, InsightFailure
from insights.services import assess
from insights.tasks import decode
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> Iterator[list[tuple[str, list[Any]]]]:
    """The Celery tasks published (really, to the test broker) while the test runs."""
    seen: list[tuple[str, list[Any]]] = []

    def record(sender: str, body: Any = None, **kwargs: Any) -> None:
        args = body[0] if isinstance(body, tuple) else (body or {}).get("args", [])
        seen.append((sender, list(args)))

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)
    with app.connection_for_write() as conn:  # leave no task behind for later tests' workers
        for queue in ("llm", "insights"):
            app.amqp.queues[queue].bind(conn.default_channel).purge()


def _enriched_ids(published: list[tuple[str, list[Any]]]) -> list[int]:
    return [
        rec_id
        for name, args in published
        if name == "coach.llm_tasks.enrich_recommendations"
        for rec_id in args[0]
    ]


def _stored(tenant: Tenant) -> tuple[Any, ...]:
    insight = Insight.objects.get(tenant=tenant, local_date=tenant.local_today())
    recs = ranked(insight.recommendations.select_related("evidence"))
    return (
        insight.score,
        insight.band,
        insight.stage,
        insight.as_of,
        [
            (r.template_key, r.priority, r.score, r.title, r.body, r.figures, r.series, r.cash_flow)
            for r in recs
        ],
    )


def _expected(tenant: Tenant) -> tuple[Any, ...]:
    """What an adviser's engine says for these books, computed apart from the pipeline."""
    assessment = assess(
        load_periods(tenant),
        currency=tenant.currency,
        tenant_name=tenant.name,
        today=tenant.local_today(),
    )
    health = assessment.health
    return (
        health.overall,
        health.band or "",
        assessment.stage.value if assessment.stage else "",
        assessment.metrics.as_of,
        [
            (
                c.template_key,
                c.priority.value,
                c.score,
                c.title,
                c.body,
                c.figures,
                c.series,
                c.cash_flow,
            )
            for c in assessment.candidates
        ],
    )


def _alerts(tenant: Tenant) -> list[int]:
    return sorted(
        Notification.objects.filter(tenant=tenant, kind="coach_alert").values_list(
            "data__recommendation_id", flat=True
        )
    )


def _callers(api: Any, alice: Any, published: list[tuple[str, list[Any]]]) -> dict[str, Callable]:
    def batch(tenant: Tenant) -> None:
        daily.run_batch([(tenant.pk, tenant.local_today())])

    def run_now(tenant: Tenant) -> None:
        response = api.post(f"/v1/tenants/{tenant.pk}/insights/run/")
        assert response.status_code in (200, 202), response.json()

    def generate(tenant: Tenant) -> None:
        response = api.post(f"/v1/tenants/{tenant.pk}/coach/recommendations/generate/")
        assert response.status_code in (200, 201), response.json()

    def regenerate(tenant: Tenant) -> None:
        assert daily.regenerate(tenant, tenant.local_today(), user=alice) is not None

    return {"batch": batch, "run_now": run_now, "generate": generate, "regenerate": regenerate}


@pytest.fixture
def run_published(published, django_capture_on_commit_callbacks):
    """Do what a worker does with the insight batches published so far."""

    def run() -> None:
        for name, args in list(published):
            if name == "insights.tasks.run_insight_batch":
                published.remove((name, args))
                with django_capture_on_commit_callbacks(execute=True):
                    daily.run_batch(decode(args[0]))

    return run


@pytest.mark.parametrize("caller", ["batch", "run_now", "generate", "regenerate"])
def test_every_caller_writes_the_same_insight_alerts_once_and_enriches_once(
    caller,
    api,
    alice,
    make_tenant,
    books,
    settings,
    published,
    run_published,
    django_capture_on_commit_callbacks,
):
    settings.OPENAI_API_KEY = "sk-test"  # enrichment is published only when a model is set up
    tenant = make_tenant()
    books(tenant, "cash_crunch", last_month=date(2026, 9, 1))
    run = _callers(api, alice, published)[caller]

    for _ in range(2):  # twice: a double click, a redelivery, a second regeneration
        with django_capture_on_commit_callbacks(execute=True):
            run(tenant)
        run_published()

    assert _stored(tenant) == _expected(tenant)
    insight = Insight.objects.get(tenant=tenant)
    critical = list(
        insight.recommendations.filter(priority="critical").values_list("pk", flat=True)
    )
    assert critical, "the cash crunch has a critical recommendation"
    assert _alerts(tenant) == sorted(critical)  # one member, one alert each, once
    assert sorted(_enriched_ids(published)) == sorted(
        insight.recommendations.values_list("pk", flat=True)
    )


def test_generate_answers_with_todays_insight_and_says_when_it_already_existed(api, tenant):
    created = api.post(f"/v1/tenants/{tenant.pk}/coach/recommendations/generate/")
    again = api.post(f"/v1/tenants/{tenant.pk}/coach/recommendations/generate/")

    assert (created.status_code, created.json()["status"]) == (201, "created")
    assert (again.status_code, again.json()["status"]) == (200, "done")
    assert again.json()["local_date"] == tenant.local_today().isoformat()
    assert Insight.objects.filter(tenant=tenant).count() == 1


def _users_work_on(rec: Recommendation, user: Any) -> None:
    Feedback.objects.create(
        tenant=rec.tenant,
        recommendation=rec,
        user=user,
        template_key=rec.template_key,
        category=rec.category,
        helpful=True,
    )
    conversation = Conversation.objects.create(tenant=rec.tenant, recommendation=rec, user=user)
    ChatMessage.objects.create(
        conversation=conversation, role="user", content="Why?", source="user"
    )
    ActionPlan.objects.create(tenant=rec.tenant, recommendation=rec, title="Collect faster")
    rec.status = Status.SEEN
    rec.save(update_fields=["status"])


def _cut_last_months_cash(tenant: Tenant, api: Any) -> None:
    last = FinancialPeriod.objects.filter(tenant=tenant).order_by("-month").first()
    assert last is not None
    assert last.cash_balance is not None
    response = api.post(
        f"/v1/tenants/{tenant.pk}/financials/",
        {
            "periods": [
                {"month": last.month.strftime("%Y-%m"), "cash_balance": str(last.cash_balance / 2)}
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()


def test_replacing_withdraws_and_keeps_feedback_chat_and_plans(
    api, alice, tenant, django_capture_on_commit_callbacks
):
    from insights.demo_data import story_periods
    from insights.financials import upsert_periods

    upsert_periods(tenant, story_periods("cash_crunch", date(2026, 9, 1)))
    daily.run_batch([(tenant.pk, tenant.local_today())])
    insight = Insight.objects.get(tenant=tenant)
    top = ranked(insight.recommendations.all())[0]
    assert top.priority == "critical"
    details_before = api.get(
        f"/v1/tenants/{tenant.pk}/coach/recommendations/{top.pk}/details/"
    ).json()
    _users_work_on(top, alice)

    # the books change after today's insight: the runway warning's numbers change with them
    with django_capture_on_commit_callbacks(execute=True):
        _cut_last_months_cash(tenant, api)

    top.refresh_from_db()
    assert top.status == Status.WITHDRAWN
    assert top.withdrawn_at is not None
    assert Feedback.objects.filter(recommendation=top).count() == 1
    assert ChatMessage.objects.filter(conversation__recommendation=top).count() == 1
    assert ActionPlan.objects.filter(recommendation=top).count() == 1
    # still readable, with the figures it was computed from
    base = f"/v1/tenants/{tenant.pk}/coach/recommendations/"
    assert api.get(f"{base}{top.pk}/").json()["status"] == "withdrawn"
    details_after = api.get(f"{base}{top.pk}/details/").json()
    for part in ("key_metrics", "trend", "cash_flow"):
        assert details_after[part] == details_before[part], part
    # hidden from the day's cards, listed when asked for
    insight.refresh_from_db()
    assert not insight.recommendations.filter(pk=top.pk).exists()
    assert top.pk not in [r["id"] for r in api.get(base).json()["results"]]
    assert top.pk in [r["id"] for r in api.get(base, {"status": "withdrawn"}).json()["results"]]
    # its replacement says today's numbers, and the alert is not sent twice the same day
    replacement = insight.recommendations.get(template_key=top.template_key)
    assert replacement.body != top.body
    assert _alerts(tenant) == [top.pk]
    assert insight.regeneration_count == 1


def test_regenerating_unchanged_books_keeps_the_same_recommendations(
    alice, make_tenant, books, settings, published, django_capture_on_commit_callbacks
):
    settings.OPENAI_API_KEY = "sk-test"
    tenant = make_tenant()
    books(tenant, "cash_crunch", last_month=date(2026, 9, 1))
    daily.run_batch([(tenant.pk, tenant.local_today())])
    before = set(Recommendation.objects.filter(tenant=tenant).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        daily.regenerate(tenant, tenant.local_today(), user=alice)

    insight = Insight.objects.get(tenant=tenant)
    assert set(insight.recommendations.values_list("pk", flat=True)) == before
    assert not Recommendation.objects.filter(tenant=tenant, status=Status.WITHDRAWN).exists()
    assert _enriched_ids(published) == []
    assert insight.regeneration_count == 1
    assert insight.regenerated_by == alice


def test_books_added_after_todays_insight_rescore_it(
    api, tenant, django_capture_on_commit_callbacks
):
    from insights.demo_data import story_periods

    daily.run_batch([(tenant.pk, tenant.local_today())])
    assert Insight.objects.get(tenant=tenant).has_data is False
    assert Insight.objects.get(tenant=tenant).stage == ""  # no books, no stage

    periods = [
        {k: (v.strftime("%Y-%m") if isinstance(v, date) else str(v)) for k, v in p.items()}
        for p in story_periods("cash_crunch", date(2026, 9, 1))
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/v1/tenants/{tenant.pk}/financials/", {"periods": periods}, format="json"
        )
    assert response.status_code == 200, response.json()

    insight = Insight.objects.get(tenant=tenant)
    assert insight.has_data is True
    assert insight.score is not None
    assert insight.band == "critical"
    assert insight.stage == "established"  # two years of steady sales, however short of cash
    assert insight.recommendations.filter(priority="critical").exists()
    assert len(_alerts(tenant)) == insight.recommendations.filter(priority="critical").count()


def test_books_changed_before_the_morning_leave_the_morning_to_write_it(api, tenant):
    from insights.demo_data import story_periods
    from insights.financials import upsert_periods

    upsert_periods(tenant, story_periods("healthy", date(2026, 9, 1)))

    assert not Insight.objects.filter(tenant=tenant).exists()


def test_a_stored_health_that_no_longer_parses_fails_that_tenant_alone(make_tenant, books):
    broken, fine = make_tenant(), make_tenant()
    for tenant in (broken, fine):
        books(tenant, "healthy")
    day = date(2026, 2, 10)
    daily.run_batch([(broken.pk, date(2026, 2, 9)), (fine.pk, date(2026, 2, 9))])
    Insight.objects.filter(tenant=broken).update(health={"overall": 50})  # lacks "band"

    result = daily.run_batch([(broken.pk, day), (fine.pk, day)])

    assert result.failed == [(broken.pk, day)]
    assert result.done == [(fine.pk, day)]
    failure = InsightFailure.objects.get(tenant=broken)
    assert "previous insight" in failure.error
    assert "band" in failure.error


def test_a_user_cannot_withdraw_or_revive_a_recommendation(api, tenant):
    from insights.demo_data import story_periods
    from insights.financials import upsert_periods

    upsert_periods(tenant, story_periods("cash_crunch", date(2026, 9, 1)))
    daily.run_batch([(tenant.pk, tenant.local_today())])
    rec = Recommendation.objects.filter(tenant=tenant).first()
    assert rec is not None
    url = f"/v1/tenants/{tenant.pk}/coach/recommendations/{rec.pk}/"

    assert api.patch(url, {"status": "withdrawn"}, format="json").status_code == 400
    Recommendation.objects.filter(pk=rec.pk).update(status=Status.WITHDRAWN)
    answer = api.patch(url, {"status": "seen"}, format="json")
    assert answer.status_code == 400
    assert "status" in answer.json()["errors"]


def test_evidence_is_stored_once_per_insight(make_tenant, books):
    tenant = make_tenant()
    books(tenant, "cash_crunch")
    daily.run_batch([(tenant.pk, date(2026, 2, 10))])

    recs = Recommendation.objects.filter(tenant=tenant)
    assert recs.count() > 1
    assert recs.values("evidence_id").distinct().count() == 1
    assert all(r.cash_flow and r.series for r in recs.select_related("evidence"))
    assert len(recs.first().cash_flow) == 24
