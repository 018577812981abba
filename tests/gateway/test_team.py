"""The team: invitations by email, accepting them (new or existing account), roles, removal,
the last owner, and the external accountant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app
from gateway.models import Invitation, Membership, Role
from tests.conftest import client_for
from tests.notifications.receivers import smtp_server  # noqa: F401 - fixture
from tests.processes import celery_worker

pytestmark = pytest.mark.django_db


def invite(api, tenant, email="carol@example.com", role="member"):
    return api.post(f"/v1/tenants/{tenant.pk}/invitations/", {"email": email, "role": role})


def key_of(response) -> str:
    return response.json()["accept_url"].rsplit("#invite=", 1)[1]


def test_an_owner_invites_and_a_new_person_accepts_with_a_new_account(api, tenant):
    sent = invite(api, tenant, "Carol@Example.com", "admin")
    assert sent.status_code == 201, sent.json()
    assert sent.json()["state"] == "pending"
    key = key_of(sent)

    browser = Client(enforce_csrf_checks=False)
    preview = browser.get(f"/v1/invitations/{key}/")
    assert preview.status_code == 200
    assert preview.json()["tenant_name"] == "Alice Bakery"
    assert preview.json()["email"] == "carol@example.com"
    assert preview.json()["invited_by"] == "alice"

    accepted = browser.post(
        f"/v1/invitations/{key}/",
        {"username": "carol", "password": "a-long-enough-passphrase"},
        content_type="application/json",
    )
    assert accepted.status_code == 201, accepted.json()
    carol = get_user_model().objects.get(username="carol")
    assert carol.email == "carol@example.com"
    assert Membership.objects.get(tenant=tenant, user=carol).role == Role.ADMIN
    # signed in by the session the accept started
    assert browser.get("/v1/auth/session/").json()["username"] == "carol"
    # a link works once
    again = APIClient().post(f"/v1/invitations/{key}/", {"username": "c2", "password": "x" * 12})
    assert again.status_code == 400
    assert "accepted" in again.json()["detail"]


def test_an_existing_account_joins_with_the_link(api, tenant, bob):
    key = key_of(invite(api, tenant, "bob@example.com", "accountant"))

    response = client_for(bob).post(f"/v1/invitations/{key}/", {}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["role"] == "accountant"
    assert Membership.objects.get(tenant=tenant, user=bob).role == Role.ACCOUNTANT
    assert Invitation.objects.get().accepted_by == bob


def test_a_weak_password_or_taken_name_is_refused_at_the_field_and_nothing_is_written(
    api, tenant, bob
):
    key = key_of(invite(api, tenant))
    weak = APIClient().post(f"/v1/invitations/{key}/", {"username": "carol", "password": "123"})
    assert weak.status_code == 400
    assert "password" in weak.json()["errors"]
    taken = APIClient().post(
        f"/v1/invitations/{key}/", {"username": "BOB", "password": "a-long-enough-passphrase"}
    )
    assert taken.status_code == 400
    assert "username" in taken.json()["errors"]
    assert not get_user_model().objects.filter(username="carol").exists()
    assert Invitation.objects.get().state == "pending"


def test_expired_revoked_and_unknown_links_say_so(api, tenant):
    key = key_of(invite(api, tenant))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = APIClient().post(f"/v1/invitations/{key}/", {"username": "c", "password": "x" * 12})
    assert "expired" in expired.json()["detail"]

    second = invite(api, tenant, "dave@example.com")
    revoked = api.delete(f"/v1/tenants/{tenant.pk}/invitations/{second.json()['id']}/")
    assert revoked.status_code == 204
    assert APIClient().get(f"/v1/invitations/{key_of(second)}/").json()["state"] == "revoked"
    assert APIClient().get("/v1/invitations/nope/").status_code == 404


def test_sending_again_replaces_the_pending_invitation(api, tenant):
    first = key_of(invite(api, tenant))
    invite(api, tenant)
    assert APIClient().get(f"/v1/invitations/{first}/").json()["state"] == "revoked"
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def test_who_may_invite(api, tenant, bob, make_user, add_member):
    add_member(tenant, bob, Role.MEMBER)
    assert invite(client_for(bob), tenant).status_code == 403
    admin = make_user("adam")
    add_member(tenant, admin, Role.ADMIN)
    refused = invite(client_for(admin), tenant, role="owner")
    assert refused.status_code == 400
    assert "only an owner" in refused.json()["detail"]
    assert invite(api, tenant, "someone@example.com", "owner").status_code == 201
    add_member(tenant, make_user("erin", email="erin@example.com"))
    already = invite(api, tenant, "ERIN@example.com")
    assert already.status_code == 400
    assert "already a member" in already.json()["detail"]


def test_roles_change_and_the_last_owner_stays(api, tenant, alice, bob, add_member):
    add_member(tenant, bob, Role.MEMBER)
    base = f"/v1/tenants/{tenant.pk}/members"

    assert api.patch(f"{base}/{bob.pk}/", {"role": "viewer"}).json()["role"] == "viewer"
    last = api.patch(f"{base}/{alice.pk}/", {"role": "admin"})
    assert last.status_code == 400
    assert "last owner" in last.json()["detail"]
    assert api.delete(f"{base}/{alice.pk}/").status_code == 400
    assert Membership.objects.get(tenant=tenant, user=alice).role == Role.OWNER

    # with a second owner, the first may step down, and leave
    assert api.patch(f"{base}/{bob.pk}/", {"role": "owner"}).status_code == 200
    assert api.patch(f"{base}/{alice.pk}/", {"role": "admin"}).status_code == 200
    assert api.delete(f"{base}/{alice.pk}/").status_code == 204
    assert not Membership.objects.filter(tenant=tenant, user=alice).exists()


def test_members_cannot_manage_others_but_may_leave(api, tenant, bob, make_user, add_member):
    add_member(tenant, bob, Role.MEMBER)
    carol = make_user("carol")
    add_member(tenant, carol, Role.VIEWER)
    base = f"/v1/tenants/{tenant.pk}/members"
    as_bob = client_for(bob)
    assert as_bob.patch(f"{base}/{carol.pk}/", {"role": "admin"}).status_code == 403
    assert as_bob.delete(f"{base}/{carol.pk}/").status_code == 403
    assert as_bob.delete(f"{base}/{bob.pk}/").status_code == 204
    assert api.delete(f"{base}/999999/").status_code == 404


def test_an_accountant_works_on_plans_but_changes_no_settings(tenant, bob, add_member):
    add_member(tenant, bob, Role.ACCOUNTANT)
    as_bob = client_for(bob)
    plan = as_bob.post(
        f"/v1/tenants/{tenant.pk}/coach/action-plans/", {"title": "Chase invoices"}, format="json"
    )
    assert plan.status_code == 201, plan.json()
    assert as_bob.patch(f"/v1/tenants/{tenant.pk}/", {"name": "Mine"}).status_code == 403
    assert invite(as_bob, tenant).status_code == 403
    assert as_bob.get(f"/v1/tenants/{tenant.pk}/members/").status_code == 200


@pytest.mark.services
def test_the_invitation_email_goes_out_through_the_worker(
    transactional_db,
    monkeypatch,
    smtp_server,  # noqa: F811 - the fixture imported above
    alice,
    tenant,
):
    port, inbox = smtp_server
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(port))
    with app.connection_for_write() as conn:  # no earlier test's email waiting for this worker
        app.amqp.queues["notifications"].bind(conn.default_channel).purge()
    with celery_worker("notifications"):
        sent = invite(client_for(alice), tenant, "carol@example.com")
        (message,) = inbox.wait_for(1, kind="invitation")
    assert message["To"] == "carol@example.com"
    assert "alice invited you to Alice Bakery" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert sent.json()["accept_url"] in text
