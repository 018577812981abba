"""The demo data command: same rows every run, a token that works every run, real stories."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from coach.models import Recommendation
from gateway.demo import demo_token_key
from gateway.models import ApiToken, Membership, Tenant
from insights.models import FinancialPeriod, Insight
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, list]:
    users = get_user_model().objects
    return {
        "users": list(users.order_by("id").values_list("id", "username", "password", "is_staff")),
        "tenants": list(
            Tenant.objects.order_by("id").values_list("id", "name", "timezone", "updated_at")
        ),
        "memberships": list(
            Membership.objects.order_by("id").values_list("id", "user_id", "tenant_id", "role")
        ),
        "tokens": list(ApiToken.objects.order_by("id").values_list("id", "digest", "revoked_at")),
        "periods": list(FinancialPeriod.objects.order_by("id").values()),
        "insights": list(
            Insight.objects.order_by("id").values("id", "tenant_id", "local_date", "score")
        ),
    }


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_running_it_twice_leaves_the_same_rows():
    first_output = _seed()
    first = _snapshot()

    second_output = _seed()

    assert _snapshot() == first
    assert len(first["tenants"]) >= 4
    # 24 months for each story, 12 for Fjord Bakery (its spreadsheet; its bank fills the cash)
    assert len(first["periods"]) == 24 * (len(first["tenants"]) - 1) + 12
    assert len(first["insights"]) == 90 * len(first["tenants"])
    token = re.search(r"demo API token: (\S+)", first_output).group(1)
    assert token in second_output


def test_it_restores_a_revoked_demo_token_and_the_printed_key_lists_the_demo_tenants():
    _seed()
    ApiToken.objects.update(revoked_at="2020-01-01T00:00:00Z")

    key = re.search(r"demo API token: (\S+)", _seed()).group(1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/v1/tenants/")

    assert response.status_code == 200
    zones = {row["timezone"] for row in response.json()["results"]}
    assert {"America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Australia/Sydney"} <= zones


def test_each_demo_tenant_tells_its_story():
    # given the demo data
    _seed()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {demo_token_key()}")
    tenants = {row["name"]: row["id"] for row in client.get("/v1/tenants/").json()["results"]}

    # when each tenant asks for advice
    def advice(name: str) -> dict:
        return client.post(f"/v1/tenants/{tenants[name]}/coach/recommendations/generate/").json()

    crunch, healthy, collections, overstock = (
        advice("Thames Print Studio"),
        advice("Harbor Coffee Roasters"),
        advice("Lotus Textiles"),
        advice("Bondi Surf Supply"),
    )

    # then each one's advice is about its own trouble
    assert crunch["recommendations"][0]["template_key"] == "cash_runway_low"
    assert crunch["recommendations"][0]["priority"] == "critical"
    assert healthy["health"]["band"] == "strong"
    assert all(rec["priority"] in {"low", "medium"} for rec in healthy["recommendations"])
    assert collections["recommendations"][0]["template_key"] == "receivables_slow"
    assert "inventory_overstock" in {rec["template_key"] for rec in overstock["recommendations"]}
    assert crunch["health"]["overall"] < healthy["health"]["overall"]


def test_the_history_follows_the_books_month_by_month_and_issues_nothing():
    _seed()
    thames = Tenant.objects.get(name="Thames Print Studio")
    history = list(Insight.objects.filter(tenant=thames).order_by("local_date"))

    # one point a day for 90 days, the score changing only when a month of books closes
    assert len(history) == 90
    assert all((b.local_date - a.local_date).days == 1 for a, b in itertools.pairwise(history))
    changes = [b for a, b in itertools.pairwise(history) if a.score != b.score]
    assert all(b.local_date.day == 1 for b in changes)
    assert changes  # the crunch worsens as months close
    first, last = history[0].score, history[-1].score
    assert first is not None
    assert last is not None
    assert last < first
    # history points carry no advice and sent no alerts
    assert not Recommendation.objects.filter(tenant=thames).exists()
    assert not Notification.objects.filter(tenant=thames).exists()


def test_a_rerun_keeps_the_books_and_settings_a_user_changed_and_adds_only_missing_months():
    # given the demo, whose owner then edits a month, deletes another and changes the settings
    _seed()
    harbor = Tenant.objects.get(name="Harbor Coffee Roasters")
    fjord = Tenant.objects.get(name="Fjord Bakery")
    months = list(FinancialPeriod.objects.filter(tenant=harbor).order_by("month"))
    edited, deleted = months[-1], months[-2]
    FinancialPeriod.objects.filter(pk=edited.pk).update(revenue=12345, cash_balance=-50)
    FinancialPeriod.objects.filter(pk=deleted.pk).delete()
    fjord_month = FinancialPeriod.objects.filter(tenant=fjord).order_by("month").last()
    assert fjord_month is not None
    FinancialPeriod.objects.filter(pk=fjord_month.pk).update(revenue=777)
    Tenant.objects.filter(pk=harbor.pk).update(
        insight_hour=9, currency="EUR", timezone="Europe/Paris", name="Harbor (mine)"
    )
    Membership.objects.filter(tenant=harbor).update(role="admin")

    # when the README's first command seeds again
    _seed()

    # then what the user changed stays, and only the missing month comes back
    harbor.refresh_from_db()
    assert (harbor.insight_hour, harbor.currency, harbor.timezone, harbor.name) == (
        9, "EUR", "Europe/Paris", "Harbor (mine)",
    )  # fmt: skip
    kept = FinancialPeriod.objects.get(pk=edited.pk)
    assert (kept.revenue, kept.cash_balance) == (12345, -50)
    assert FinancialPeriod.objects.filter(tenant=harbor, month=deleted.month).exists()
    assert FinancialPeriod.objects.filter(tenant=harbor).count() == len(months)
    assert FinancialPeriod.objects.get(pk=fjord_month.pk).revenue == 777
    assert set(Membership.objects.filter(tenant=harbor).values_list("role", flat=True)) == {"admin"}
