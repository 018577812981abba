"""The inbox over HTTP: newest first, unread count, ETag/304, and only the caller's rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from gateway.models import ApiToken, Role, hash_token
from gateway.services import issue_token, revoke_token
from notifications import live, services
from notifications.models import Notification
from notifications.services import notify
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_push(monkeypatch):
    monkeypatch.setattr(live, "push_notifications", lambda pushes: None)


def url(tenant, tail: str = "") -> str:
    return f"/v1/tenants/{tenant.pk}/notifications/{tail}"


@pytest.fixture
def shared(tenant, bob, add_member):
    """Alice and Bob both in Alice's tenant, each with three notifications."""
    add_member(tenant, bob)
    for index in range(3):
        notify(tenant, kind="info", title=f"n{index}")
    return tenant


def test_it_lists_the_callers_newest_first_with_the_unread_count(api, shared, alice):
    response = api.get(url(shared))

    assert response.status_code == 200
    body = response.json()
    assert [item["title"] for item in body["results"]] == ["n2", "n1", "n0"]
    assert (body["count"], body["unread"]) == (3, 3)
    mine = set(Notification.objects.filter(user=alice).values_list("id", flat=True))
    assert {item["id"] for item in body["results"]} == mine
    assert set(body["results"][0]) == {
        "id",
        "kind",
        "title",
        "body",
        "data",
        "created_at",
        "read_at",
    }
    assert body["results"][0]["created_at"].endswith("Z")


def test_it_filters_unread_and_pages_with_before_and_limit(api, shared):
    newest = api.get(url(shared)).json()["results"][0]["id"]
    api.post(url(shared, f"{newest}/read"))

    unread = api.get(url(shared), {"unread": "true"}).json()
    older = api.get(url(shared), {"before": newest, "limit": 1}).json()

    assert [item["title"] for item in unread["results"]] == ["n1", "n0"]
    assert unread["unread"] == 2
    assert [item["title"] for item in older["results"]] == ["n1"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"before": "x"}, "before")],
)
def test_bad_query_parameters_are_a_400_naming_the_field(api, tenant, params, field):
    response = api.get(url(tenant), params)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{field}:")


def test_an_unchanged_inbox_answers_304_and_any_change_a_new_etag(api, shared):
    # given a first full read
    first = api.get(url(shared))
    etag = first["ETag"]

    # when nothing changed, then the conditional read is a bodyless 304
    again = api.get(url(shared), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    # when one notification is read, then the old ETag no longer matches
    api.post(url(shared, f"{first.json()['results'][0]['id']}/read"))
    changed = api.get(url(shared), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag

    # and a new notification changes it too
    notify(shared, kind="success", title="Paid")
    assert api.get(url(shared), HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_the_etag_depends_on_the_query(api, shared):
    etag = api.get(url(shared))["ETag"]

    assert api.get(url(shared), {"unread": "true"}, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_read_and_unread_touch_only_the_callers_row(api, shared, alice, bob):
    mine = Notification.objects.filter(user=alice).first()
    theirs = Notification.objects.filter(user=bob).first()

    read = api.post(url(shared, f"{mine.id}/read"))
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert api.post(url(shared, f"{theirs.id}/read")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None

    unread = api.post(url(shared, f"{mine.id}/unread/"))
    assert unread.status_code == 200
    assert unread.json()["read_at"] is None


def test_read_all_and_clear_all_touch_only_the_callers_rows(api, shared, alice, bob):
    read_all = api.post(url(shared, "read-all"))
    assert read_all.json() == {"updated": 3}
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=bob, read_at__isnull=True).count() == 3

    cleared = api.delete(url(shared))
    assert cleared.json() == {"deleted": 3}
    assert not Notification.objects.filter(user=alice).exists()
    assert Notification.objects.filter(user=bob).count() == 3
    assert api.get(url(shared)).json() == {"count": 0, "unread": 0, "results": []}


def test_another_tenants_inbox_is_404(api, other_tenant, bob):
    notify(other_tenant, kind="info", title="Bob's")
    theirs = Notification.objects.get(user=bob)

    assert api.get(url(other_tenant)).status_code == 404
    assert api.post(url(other_tenant, f"{theirs.id}/read")).status_code == 404
    assert api.post(url(other_tenant, "read-all")).status_code == 404
    assert api.delete(url(other_tenant)).status_code == 404
    assert Notification.objects.get(user=bob).read_at is None


def test_anonymous_callers_are_401(anon, tenant):
    assert anon.get(url(tenant)).status_code == 401


def test_a_viewer_manages_their_own_inbox(tenant, make_user, add_member):
    viewer = make_user("vic")
    add_member(tenant, viewer, Role.VIEWER)
    notify(tenant, kind="info", title="Hello", users=[viewer])
    client = client_for(viewer)

    assert client.post(url(tenant, "read-all")).json() == {"updated": 1}
    assert client.delete(url(tenant)).json() == {"deleted": 1}


def test_preferences_read_and_change(api, tenant):
    assert api.get(url(tenant, "preferences")).json() == {
        "live_kinds": ["info", "success", "warning", "error", "coach_alert"],
        "quiet_start": None,
        "quiet_end": None,
    }

    changed = api.patch(
        url(tenant, "preferences"),
        {"live_kinds": ["coach_alert", "error"], "quiet_start": "22:00", "quiet_end": "07:00"},
    )

    assert changed.status_code == 200
    assert changed.json() == {
        "live_kinds": ["error", "coach_alert"],
        "quiet_start": "22:00:00",
        "quiet_end": "07:00:00",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"live_kinds": ["loud"]}, "live_kinds"),
        ({"quiet_start": "22:00"}, "quiet_end"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
    ],
)
def test_bad_preferences_are_a_400_naming_the_field(api, tenant, body, field):
    response = api.patch(url(tenant, "preferences"), body)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(field)


def test_the_304_fast_path_refuses_what_authentication_would(api, shared, alice, bob, anon):
    # given a current ETag for Alice
    etag = api.get(url(shared))["ETag"]
    _, key = issue_token(alice, "soon revoked")
    token = ApiToken.objects.get(digest=hash_token(key))
    headers = {"HTTP_IF_NONE_MATCH": etag, "HTTP_AUTHORIZATION": f"Token {key}"}
    assert anon.get(url(shared), **headers).status_code == 304

    # when the token is revoked, or Alice leaves the tenant, then no 304 is given
    revoke_token(token)
    assert anon.get(url(shared), **headers).status_code == 401
    _, fresh = issue_token(alice, "fresh")
    headers["HTTP_AUTHORIZATION"] = f"Token {fresh}"
    assert anon.get(url(shared), **headers).status_code == 304
    shared.memberships.filter(user=alice).delete()
    assert anon.get(url(shared), **headers).status_code == 404


def _expire(tenant, user, token):
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(1))


def _revoke(tenant, user, token):
    revoke_token(token)


def _leave(tenant, user, token):
    tenant.memberships.filter(user=user).delete()


def _deactivate_user(tenant, user, token):
    type(user).objects.filter(pk=user.pk).update(is_active=False)


def _deactivate_tenant(tenant, user, token):
    type(tenant).objects.filter(pk=tenant.pk).update(is_active=False)


# Ways a caller who was allowed to read an inbox stops being allowed: (tenant, user, token).
DISALLOW = {
    "expire": _expire,
    "revoke": _revoke,
    "leave": _leave,
    "deactivate_user": _deactivate_user,
    "deactivate_tenant": _deactivate_tenant,
}


@pytest.mark.parametrize(
    ("caller", "how"),
    [
        ("owner", "expire"),
        ("owner", "revoke"),
        ("owner", "leave"),  # a user who belongs to no tenant at all now
        ("other_tenants_owner", "leave"),  # still the owner of another tenant
        ("owner", "deactivate_user"),
        ("owner", "deactivate_tenant"),
    ],
)
def test_the_304_fast_path_answers_what_the_ordinary_path_does_for_a_token(
    shared, alice, bob, other_tenant, caller, how
):
    # given a caller allowed to read the inbox, with the ETag of their current copy
    # (Bob is a member of ``shared`` and the owner of ``other_tenant``)
    user = alice if caller == "owner" else bob
    token, key = issue_token(user, "client")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    etag = client.get(url(shared))["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(shared), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(queries) == 1  # the fast path answered: one query, before DRF

    # when they stop being allowed
    DISALLOW[how](shared, user, token)

    # then the conditional read answers what the plain read answers, a refusal, never a 304
    conditional = client.get(url(shared), HTTP_IF_NONE_MATCH=etag).status_code
    plain = client.get(url(shared)).status_code
    assert plain in {401, 403, 404}
    assert conditional == plain


@pytest.mark.parametrize("how", ["leave", "deactivate_user", "deactivate_tenant"])
def test_the_304_fast_path_answers_what_the_ordinary_path_does_for_a_session(shared, alice, how):
    # given a logged-in browser (the console) with a current copy, answered on the fast path
    client = APIClient()
    client.force_login(alice)
    etag = client.get(url(shared))["ETag"]
    fast = client.get(url(shared), HTTP_IF_NONE_MATCH=etag)
    assert fast.status_code == 304
    assert "Allow" not in fast  # DRF's views add it; the fast path runs before DRF

    # when the user may no longer read the inbox, then both reads refuse alike
    DISALLOW[how](shared, alice, None)
    conditional = client.get(url(shared), HTTP_IF_NONE_MATCH=etag).status_code
    plain = client.get(url(shared)).status_code
    assert plain in {401, 403, 404}
    assert conditional == plain


@pytest.mark.parametrize("limit", ["²", "٣x", "-1", "1e3"])
def test_a_conditional_read_with_a_bad_limit_is_a_400_naming_it(api, shared, limit):
    etag = api.get(url(shared))["ETag"]

    response = api.get(url(shared), {"limit": limit}, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 400
    assert response.json()["detail"].startswith("limit:")


def test_a_weak_or_listed_etag_still_matches(api, shared):
    etag = api.get(url(shared))["ETag"]

    assert api.get(url(shared), HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304


def test_the_fast_paths_query_is_compiled_once_not_per_request():
    # A rule with a parameter that changes between requests (a time) would fall back to
    # compiling per request: correct, but the 304 would cost several times more.
    assert services._compiled_version_query(by_token=True) is not None
    assert services._compiled_version_query(by_token=False) is not None
