"""Feedback through the path the frontend calls: validated, one per user and recommendation,
updated when sent again; wrong_data flags the books, unclear flags the template; scoped."""

from __future__ import annotations

import pytest

from coach.models import TemplateFlag
from feedback.models import DataFlag, Feedback
from gateway.models import Role
from tests.coach.conftest import generate
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _url(rec, slash: str = "") -> str:
    return f"/v1/tenants/{rec.tenant_id}/coach/recommendations/{rec.pk}/feedback{slash}"


def test_feedback_is_recorded_with_its_id_and_time(api, recommendation):
    response = api.post(
        _url(recommendation), {"helpful": False, "reason": "not_priority", "comment": "Later"}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    stored = Feedback.objects.get()
    assert body["feedback_id"] == stored.pk
    assert body["created_at"]
    assert body["updated"] is False
    assert (stored.helpful, stored.reason, stored.comment) == (False, "not_priority", "Later")
    assert stored.template_key == recommendation.template_key


def test_sending_again_updates_the_one_feedback(api, recommendation):
    first = api.post(_url(recommendation), {"helpful": False, "reason": "unclear"}).json()

    second = api.post(_url(recommendation, "/"), {"helpful": True}).json()

    assert second["feedback_id"] == first["feedback_id"]
    assert second["updated"] is True
    assert second["created_at"] == first["created_at"]
    assert Feedback.objects.count() == 1
    assert Feedback.objects.get().helpful is True


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"helpful": False}, "reason: is required when the recommendation was not helpful"),
        ({"helpful": False, "reason": "boring"}, 'reason: "boring" is not a valid choice.'),
        ({"reason": "other"}, "helpful: This field is required."),
        ({"helpful": True, "comment": "x" * 1001}, "comment: must be at most 1000 characters"),
    ],
)
def test_invalid_feedback_is_a_400_naming_the_field(api, recommendation, body, detail):
    response = api.post(_url(recommendation), body, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert not Feedback.objects.exists()


def test_wrong_data_flags_the_books_and_unclear_the_template(api, tenant, recommendation):
    api.post(_url(recommendation), {"helpful": False, "reason": "wrong_data", "comment": "AR off"})

    flag = DataFlag.objects.get()
    assert (flag.tenant_id, flag.recommendation_id, flag.comment) == (
        tenant.pk,
        recommendation.pk,
        "AR off",
    )

    api.post(_url(recommendation), {"helpful": False, "reason": "unclear"})
    api.post(_url(recommendation), {"helpful": False, "reason": "unclear"})  # same: counted once

    template = TemplateFlag.objects.get(template_key=recommendation.template_key)
    assert template.needs_rewrite is True
    assert template.unclear_count == 1


def test_the_summary_counts_this_tenants_feedback(
    api,
    tenant,
    recommendation,
    make_user,
    add_member,
    other_tenant,
    bob,
):
    carol = make_user("carol")
    add_member(tenant, carol)
    api.post(_url(recommendation), {"helpful": True, "comment": "Spot on"})
    client_for(carol).post(_url(recommendation), {"helpful": False, "reason": "already_done"})
    bob_rec = generate(client_for(bob), other_tenant)[0]
    client_for(bob).post(_url(bob_rec), {"helpful": False, "reason": "other"})

    summary = api.get(f"/v1/tenants/{tenant.id}/feedback/summary/").json()

    assert (summary["total"], summary["helpful"], summary["helpful_rate"]) == (2, 1, 0.5)
    assert summary["reasons"]["already_done"] == 1
    assert summary["reasons"]["other"] == 0  # Bob's
    row = summary["by_template"][0]
    assert (row["template_key"], row["total"], row["helpful_rate"]) == (
        recommendation.template_key,
        2,
        0.5,
    )
    assert [c["comment"] for c in summary["recent_comments"]] == ["Spot on"]


def test_a_viewer_cannot_send_feedback(api, tenant, recommendation, make_user, add_member):
    viewer = make_user("vera")
    add_member(tenant, viewer, Role.VIEWER)

    response = client_for(viewer).post(_url(recommendation), {"helpful": True})

    assert response.status_code == 403


def test_another_tenants_recommendation_and_summary_answer_404(api, tenant, other_tenant, bob):
    bob_rec = generate(client_for(bob), other_tenant)[0]
    via_mine = f"/v1/tenants/{tenant.id}/coach/recommendations/{bob_rec.pk}/feedback"

    assert api.post(_url(bob_rec), {"helpful": True}).status_code == 404
    assert api.post(via_mine, {"helpful": True}).status_code == 404
    assert api.get(f"/v1/tenants/{other_tenant.id}/feedback/summary/").status_code == 404
    assert not Feedback.objects.exists()


def test_the_admin_shows_the_summary(tenant, recommendation, api, make_user):
    api.post(_url(recommendation), {"helpful": False, "reason": "other", "comment": "Meh"})
    admin = make_user("root", is_staff=True, is_superuser=True)
    from django.test import Client

    client = Client()
    client.force_login(admin)

    page = client.get("/admin/feedback/feedback/summary/")
    usage = client.get("/admin/coach/llmusage/")

    assert page.status_code == 200
    assert recommendation.template_key in page.content.decode()
    assert "Meh" in page.content.decode()
    assert usage.status_code == 200
