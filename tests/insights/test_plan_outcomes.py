"""Did it work? A plan follows its recommendation's figure through later insights, reports its
outcome once when due, and what plans achieve feeds the ranking."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

import pytest

from coach.models import ActionPlan, PlanStatus, Recommendation
from coach.plans import confirm_plan, create_plan, update_plan
from feedback.outcomes import outcome_adjustments
from insights.daily import run_batch
from insights.financials import upsert_periods
from insights.models import FinancialPeriod
from insights.pipeline import load
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _outcomes(tenant) -> list[Notification]:
    return [
        n
        for n in Notification.objects.filter(tenant=tenant)
        if (n.data or {}).get("kind") == "plan_outcome"
    ]


def _slow_collections_plan(tenant, alice, books, *, due: date) -> tuple[ActionPlan, Recommendation]:
    books(tenant, "slow_collections")
    run_batch([(tenant.pk, date(2026, 2, 2))])
    rec = Recommendation.objects.get(tenant=tenant, template_key="receivables_slow")
    plan = create_plan(
        tenant,
        alice,
        details={"start_date": date(2026, 2, 2), "due_date": due},
        recommendation=rec,
    )
    return confirm_plan(plan), rec


def _collect_faster(tenant, days: float) -> None:
    """The latest month's receivables as if customers paid in ``days``."""
    latest = FinancialPeriod.objects.filter(tenant=tenant).order_by("-month").first()
    month_days = calendar.monthrange(latest.month.year, latest.month.month)[1]
    receivable = latest.revenue * Decimal(days) / Decimal(month_days)  # DSO counts real days
    upsert_periods(
        tenant,
        [{"month": latest.month, "accounts_receivable": receivable.quantize(Decimal("0.01"))}],
    )


def test_a_plan_names_its_figure_and_its_value_at_the_start(tenant, alice, books):
    plan, rec = _slow_collections_plan(tenant, alice, books, due=date(2026, 3, 1))

    assert plan.metric == "dso"
    assert plan.metric_start == pytest.approx(rec.figures["dso"])


def test_the_outcome_is_reported_once_when_due(tenant, alice, books):
    plan, _ = _slow_collections_plan(tenant, alice, books, due=date(2026, 3, 1))
    start = plan.metric_start

    # later insights record the figure, and say nothing before the due date
    run_batch([(tenant.pk, date(2026, 2, 10))])
    plan.refresh_from_db()
    assert plan.readings[-1][0] == "2026-02-10"
    assert plan.outcome is None
    assert _outcomes(tenant) == []

    # customers now pay in 52 days; the due date passes
    _collect_faster(tenant, 52)
    run_batch([(tenant.pk, date(2026, 3, 2))])

    plan.refresh_from_db()
    assert plan.outcome is not None
    assert plan.outcome["moved"] == "better"
    assert plan.outcome["start"] == pytest.approx(start)
    assert plan.outcome["end"] == pytest.approx(52, abs=1)
    told = _outcomes(tenant)
    assert len(told) == 1
    assert "customers pay in 52 days instead of" in told[0].body
    assert told[0].kind == "success"

    # and the next insights say it no more
    run_batch([(tenant.pk, date(2026, 3, 3))])
    run_batch([(tenant.pk, date(2026, 3, 4))])
    assert len(_outcomes(tenant)) == 1


def test_a_plan_marked_done_reports_at_the_next_insight_even_before_its_due_date(
    tenant, alice, books
):
    plan, _ = _slow_collections_plan(tenant, alice, books, due=date(2026, 6, 1))
    update_plan(plan, {"status": PlanStatus.DONE})

    run_batch([(tenant.pk, date(2026, 2, 12))])

    plan.refresh_from_db()
    assert plan.outcome is not None
    assert plan.outcome["moved"] == "unchanged"
    assert len(_outcomes(tenant)) == 1


def test_plans_that_worked_rank_their_template_higher_for_the_tenant_and_shrunk_for_everyone(
    tenant, other_tenant, alice, books
):
    # given two plans on receivables_slow that moved their figure the right way
    for _ in range(2):
        plan, _rec = _slow_collections_plan(tenant, alice, books, due=date(2026, 3, 1))
        ActionPlan.objects.filter(pk=plan.pk).update(outcome={"moved": "better", "metric": "dso"})
    # and one elsewhere, on another template, that did not (the slow payers' day has one card,
    # receivables_slow: the other template's recommendation is that one under another key)
    elsewhere = Recommendation.objects.filter(tenant=tenant).first()
    assert elsewhere is not None
    elsewhere.pk, elsewhere.template_key = None, "net_loss"
    elsewhere._state.adding = True
    elsewhere.save()
    other = ActionPlan.objects.create(
        tenant=tenant,
        title="cut costs",
        recommendation=Recommendation.objects.filter(tenant=tenant)
        .exclude(template_key="receivables_slow")
        .first(),
        outcome={"moved": "worse"},
    )
    assert other.recommendation is not None

    factors = outcome_adjustments([tenant.pk, other_tenant.pk])

    mine = factors[tenant.pk]["receivables_slow"]
    everyone = factors[other_tenant.pk]["receivables_slow"]
    assert mine > everyone > 1.0
    assert factors[tenant.pk][other.recommendation.template_key] < 1.0

    # and the daily load hands them to the engine with feedback's factors
    inputs = load([(tenant.pk, date(2026, 2, 20))], at=plan.created_at)[0]
    assert inputs.learned is not None
    assert inputs.learned.adjustments["receivables_slow"] == pytest.approx(mine)


def test_the_plan_api_shows_the_figure_and_its_outcome(api, tenant, alice, books):
    plan, _ = _slow_collections_plan(tenant, alice, books, due=date(2026, 3, 1))
    _collect_faster(tenant, 52)
    run_batch([(tenant.pk, date(2026, 3, 2))])

    body = api.get(f"/v1/tenants/{tenant.pk}/coach/action-plans/{plan.pk}/").json()

    assert body["metric"] == "dso"
    assert body["metric_start"] == pytest.approx(plan.metric_start)
    assert body["metric_latest"] == pytest.approx(52, abs=1)
    assert body["outcome"]["moved"] == "better"
    assert body["outcome"]["explanation"].startswith("Since you started")


def test_the_plan_api_gives_the_tracked_figure_in_words_with_the_tenant_currency(
    api, tenant, alice
):
    # given a plan tracking a money figure, in a tenant that keeps its books in pounds
    tenant.currency = "GBP"
    tenant.save(update_fields=["currency"])
    plan = ActionPlan.objects.create(
        tenant=tenant,
        title="Build a buffer",
        owner=alice,
        metric="cash_balance",
        metric_start=18776.76,
        readings=[["2026-03-02", 25000.0]],
    )
    days = ActionPlan.objects.create(
        tenant=tenant, title="Chase", owner=alice, metric="dso", metric_start=88.0
    )

    money = api.get(f"/v1/tenants/{tenant.pk}/coach/action-plans/{plan.pk}/").json()
    other = api.get(f"/v1/tenants/{tenant.pk}/coach/action-plans/{days.pk}/").json()

    # then the console shows the amount with its currency, through the one formatter
    assert money["metric_start_text"] == "£18,777"
    assert money["metric_latest_text"] == "£25,000"
    assert other["metric_start_text"] == "88 days"
    assert other["metric_latest_text"] is None
