"""The insight history, the latest and one day's insight, and running today's by hand."""

from __future__ import annotations

from datetime import date

import pytest
from celery.signals import before_task_publish

from config.celery import app
from gateway.models import Role
from insights import daily
from insights.models import Insight, InsightSchedule
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _base(tenant) -> str:
    return f"/v1/tenants/{tenant.id}/insights/"


def test_history_latest_and_by_date(api, tenant, books):
    books(tenant, "cash_crunch")
    daily.run_batch([(tenant.pk, date(2026, 2, 9)), (tenant.pk, date(2026, 2, 10))])

    history = api.get(_base(tenant)).json()
    latest = api.get(f"{_base(tenant)}latest/").json()
    first = api.get(f"{_base(tenant)}2026-02-09/").json()

    assert [row["local_date"] for row in history["results"]] == ["2026-02-10", "2026-02-09"]
    assert latest["local_date"] == "2026-02-10"
    assert first["band"] == "critical"
    assert first["recommendations"][0]["priority"] == "critical"
    assert len(first["health"]["components"]) == 4
    assert api.get(_base(tenant), {"from": "2026-02-10"}).json()["count"] == 1


def test_unknown_dates_and_garbage_answer_clearly(api, tenant):
    assert api.get(f"{_base(tenant)}latest/").status_code == 404
    assert api.get(f"{_base(tenant)}2026-02-09/").status_code == 404
    garbage = api.get(f"{_base(tenant)}yesterday/")
    assert garbage.status_code == 400
    assert garbage.json()["detail"].startswith("date:")
    assert api.get(_base(tenant), {"from": "soon"}).status_code == 400


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"from": "soon"}, "from: 'soon' is not a date (YYYY-MM-DD)"),
        ({"to": "2026-02-30"}, "to: '2026-02-30' is not a date (YYYY-MM-DD)"),
        ({"to": "²⁰²⁶-02-01"}, "to: '²⁰²⁶-02-01' is not a date (YYYY-MM-DD)"),
    ],
)
def test_a_bad_date_filter_is_a_400_naming_it(api, tenant, params, detail):
    response = api.get(_base(tenant), params)

    assert response.status_code == 400
    assert response.json()["detail"] == detail


@pytest.mark.django_db(transaction=True)
def test_run_queues_todays_insight_once(api, tenant):
    published: list[str] = []

    def record(sender: str, headers: dict | None = None, **kwargs: object) -> None:
        if sender == "insights.tasks.run_insight_batch":
            published.append((headers or {}).get("id", ""))

    before_task_publish.connect(record, weak=False)
    try:
        first = api.post(f"{_base(tenant)}run")  # commits, then publishes
        second = api.post(f"{_base(tenant)}run")
    finally:
        before_task_publish.disconnect(record)
        with app.connection_for_write() as conn:  # leave no task behind for later tests' workers
            app.amqp.queues["insights"].bind(conn.default_channel).purge()

    assert first.status_code == 202
    assert first.json()["status"] == "queued"
    assert second.status_code == 202
    assert second.json() == first.json()
    assert published == [first.json()["task_id"]]  # one task published, not two
    schedule = InsightSchedule.objects.get(tenant=tenant)
    assert schedule.task_id == first.json()["task_id"]
    assert schedule.dispatched_at is not None


def test_run_when_todays_insight_exists_is_a_no_op(api, tenant):
    today = tenant.local_today()
    daily.run_batch([(tenant.pk, today)])

    response = api.post(f"{_base(tenant)}run")

    assert response.status_code == 200
    assert response.json() == {"status": "done", "local_date": today.isoformat()}
    assert Insight.objects.filter(tenant=tenant).count() == 1


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_only_owners_and_admins_may_run(tenant, make_user, add_member, role):
    user = make_user()
    add_member(tenant, user, role)

    assert client_for(user).post(f"{_base(tenant)}run").status_code == 403
    assert client_for(user).get(_base(tenant)).status_code == 200


def test_another_tenants_insights_answer_404(api, other_tenant):
    daily.run_batch([(other_tenant.pk, date(2026, 2, 9))])

    assert api.get(_base(other_tenant)).status_code == 404
    assert api.get(f"{_base(other_tenant)}latest/").status_code == 404
    assert api.get(f"{_base(other_tenant)}2026-02-09/").status_code == 404
    assert api.post(f"{_base(other_tenant)}run").status_code == 404


# --- The business's stage ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("story", "stage"),
    [("fast_growth", "growing"), ("shrinking_revenue", "declining"), ("healthy", "established")],
)
def test_the_insight_says_the_business_stage_its_books_show(api, tenant, books, story, stage):
    books(tenant, story)
    daily.run_batch([(tenant.pk, date(2026, 2, 9))])

    latest = api.get(f"{_base(tenant)}latest/").json()

    assert latest["stage"] == stage
    assert api.get(f"{_base(tenant)}2026-02-09/").json()["stage"] == stage
    assert Insight.objects.get(tenant=tenant).stage == stage


def test_a_business_without_books_has_no_stage(api, tenant):
    daily.run_batch([(tenant.pk, date(2026, 2, 9))])

    latest = api.get(f"{_base(tenant)}latest/").json()

    assert latest["has_data"] is False
    assert latest["stage"] is None


def test_a_change_of_books_restates_the_stage(api, tenant, books):
    # given: today's insight of a fast-growing business
    books(tenant, "fast_growth")
    today = tenant.local_today()
    daily.run_batch([(tenant.pk, today)])
    assert Insight.objects.get(tenant=tenant).stage == "growing"

    # when: the books are replaced by a shrinking business's, and the insight is regenerated
    books(tenant, "shrinking_revenue")
    daily.regenerate(tenant, today)

    # then: the same insight now says declining
    assert api.get(f"{_base(tenant)}latest/").json()["stage"] == "declining"


def test_a_viewer_reads_the_stage_another_business_does_not(
    api, tenant, other_tenant, books, make_user, add_member
):
    books(tenant, "fast_growth")
    books(other_tenant, "shrinking_revenue")
    daily.run_batch([(tenant.pk, date(2026, 2, 9)), (other_tenant.pk, date(2026, 2, 9))])
    viewer = make_user("vera")
    add_member(tenant, viewer, Role.VIEWER)

    assert client_for(viewer).get(f"{_base(tenant)}latest/").json()["stage"] == "growing"
    assert api.get(f"{_base(other_tenant)}latest/").status_code == 404


def test_the_schema_documents_the_stage_as_a_nullable_enum_of_the_vocabulary():
    from drf_spectacular.generators import SchemaGenerator

    from coach.vocabulary import Stage

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    stage = schemas["Insight"]["properties"]["stage"]
    refs = [branch["$ref"].rsplit("/", 1)[1] for branch in stage["oneOf"]]
    assert refs == ["BusinessStageEnum", "NullEnum"]
    assert schemas["BusinessStageEnum"]["enum"] == Stage.values
    assert stage["readOnly"] is True
