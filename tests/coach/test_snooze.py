"""Cards the user controls: snooze a recommendation for a week or a month (hidden, and its
template not issued again until then), wake it; the caller's own feedback listed for the cards."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coach.models import Recommendation
from insights.daily import run_batch
from tests.coach.conftest import generate
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _recs(tenant) -> str:
    return f"/v1/tenants/{tenant.id}/coach/recommendations/"


def test_a_snoozed_card_leaves_the_list_until_it_wakes(api, tenant):
    rec = generate(api, tenant)[0]
    today = tenant.local_today()

    response = api.post(f"{_recs(tenant)}{rec.pk}/snooze/", {"period": "week"})

    assert response.status_code == 200, response.json()
    assert response.json()["snoozed_until"] == (today + timedelta(days=7)).isoformat()
    cards = [r["id"] for r in api.get(f"{_recs(tenant)}?snoozed=false").json()["results"]]
    assert rec.pk not in cards
    snoozed = [r["id"] for r in api.get(f"{_recs(tenant)}?snoozed=true").json()["results"]]
    assert snoozed == [rec.pk]
    # a month, then woken
    month = api.post(f"{_recs(tenant)}{rec.pk}/snooze/", {"period": "month"}).json()
    assert month["snoozed_until"] == (today + timedelta(days=30)).isoformat()
    assert api.delete(f"{_recs(tenant)}{rec.pk}/snooze/").json()["snoozed_until"] is None
    cards = [r["id"] for r in api.get(f"{_recs(tenant)}?snoozed=false").json()["results"]]
    assert rec.pk in cards


def test_a_bad_period_is_refused_naming_it(api, tenant):
    rec = generate(api, tenant)[0]
    response = api.post(f"{_recs(tenant)}{rec.pk}/snooze/", {"period": "year"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("period:")


def test_a_snoozed_template_is_not_issued_again_until_it_wakes(api, tenant):
    rec = generate(api, tenant)[0]
    api.post(f"{_recs(tenant)}{rec.pk}/snooze/", {"period": "month"})
    snoozed_until = Recommendation.objects.get(pk=rec.pk).snoozed_until
    assert snoozed_until is not None

    # a morning while it sleeps (past the week's cooldown) issues nothing of its template, the
    # morning it wakes does
    run_batch([(tenant.pk, snoozed_until - timedelta(days=1))])
    run_batch([(tenant.pk, snoozed_until)])
    issued = set(
        Recommendation.objects.filter(tenant=tenant, template_key=rec.template_key)
        .exclude(pk=rec.pk)
        .values_list("issued_on", flat=True)
    )
    assert snoozed_until - timedelta(days=1) not in issued
    assert snoozed_until in issued


def test_the_callers_own_feedback_is_listed_for_the_cards(api, tenant, bob, add_member):
    rec = generate(api, tenant)[0]
    add_member(tenant, bob)
    api.post(f"{_recs(tenant)}{rec.pk}/feedback", {"helpful": False, "reason": "not_priority"})
    client_for(bob).post(f"{_recs(tenant)}{rec.pk}/feedback", {"helpful": True})

    mine = api.get(f"/v1/tenants/{tenant.id}/feedback/mine/").json()["results"]

    assert [(f["recommendation_id"], f["helpful"], f["reason"]) for f in mine] == [
        (rec.pk, False, "not_priority")
    ]
