"""notify(): who gets a notification, in whose transaction, what is pushed, and the cap."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gateway.models import Role
from gateway.services import create_tenant
from notifications import live, services
from notifications.conf import INBOX_CAP
from notifications.models import Inbox, Notification
from notifications.services import NotifyError, in_quiet_hours, notify, pushes_live
from tests.notifications.conftest import notify_then_fail

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(monkeypatch):
    """What notify would send to live connections, captured instead of sent."""
    sent: list[live.InboxPush] = []
    monkeypatch.setattr(live, "push_notifications", lambda pushes: sent.extend(pushes))
    return sent


@pytest.fixture
def team(tenant, alice, make_user, add_member):
    """Alice (owner), an admin, a member and a viewer in Alice's tenant."""
    admin, member, viewer = make_user("ada"), make_user("max"), make_user("vic")
    add_member(tenant, admin, Role.ADMIN)
    add_member(tenant, member, Role.MEMBER)
    add_member(tenant, viewer, Role.VIEWER)
    return {"owner": alice, "admin": admin, "member": member, "viewer": viewer}


def _recipients(rows: list[Notification]) -> set[str]:
    return {row.user.username for row in rows}


def test_it_notifies_every_member_by_default(tenant, team, pushed):
    rows = notify(tenant, kind="info", title="Books closed")

    assert _recipients(rows) == {"alice", "ada", "max", "vic"}


def test_it_notifies_the_given_users(tenant, team, pushed):
    rows = notify(tenant, kind="info", title="Hi", users=[team["member"], team["viewer"].pk])

    assert _recipients(rows) == {"max", "vic"}


def test_it_notifies_by_role(tenant, team, pushed):
    rows = notify(tenant, kind="warning", title="Cash low", roles=[Role.OWNER, Role.ADMIN])

    assert _recipients(rows) == {"alice", "ada"}


def test_a_user_who_is_not_a_member_is_refused(tenant, team, bob, pushed):
    with pytest.raises(NotifyError, match=r"users: .* not members"):
        notify(tenant, kind="info", title="Hi", users=[team["member"], bob])

    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "shouting", "title": "x"}, "kind"),
        ({"kind": "info", "title": ""}, "title"),
        ({"kind": "info", "title": "x" * 201}, "title"),
        ({"kind": "info", "title": "x", "data": ["not", "a", "dict"]}, "data"),
    ],
)
def test_bad_arguments_name_the_argument(tenant, pushed, kwargs, field):
    with pytest.raises(NotifyError, match=f"^{field}:"):
        notify(tenant, **kwargs)


def test_it_pushes_only_after_the_callers_commit(
    tenant, team, pushed, django_capture_on_commit_callbacks
):
    # given a caller's transaction that notifies
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        rows = notify(tenant, kind="coach_alert", title="Runway", data={"recommendation": 7})
        # then nothing has left the process while the transaction is open
        assert pushed == []

    # when it commits, one callback pushes every recipient's notification
    assert len(callbacks) == 1
    callbacks[0]()
    assert sorted(p.user_id for p in pushed) == sorted(row.user_id for row in rows)
    assert pushed[0].notification["data"] == {"recommendation": 7}
    assert pushed[0].notification["kind"] == "coach_alert"


def test_a_rolled_back_notification_is_never_pushed(
    tenant, team, pushed, django_capture_on_commit_callbacks
):
    # given a caller whose transaction fails after notifying
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="caller failed"),
    ):
        notify_then_fail(tenant, title="Import failed")

    # then neither a row nor a push exists
    assert callbacks == []
    assert pushed == []
    assert not Notification.objects.exists()


def test_ids_and_live_sequence_grow_per_user(tenant, alice, pushed):
    first = notify(tenant, kind="info", title="1", users=[alice])[0]
    second = notify(tenant, kind="info", title="2", users=[alice])[0]

    assert second.id > first.id
    assert (first.seq, second.seq) == (1, 2)


def test_the_inbox_keeps_the_newest_200_per_user(tenant, alice, bob, add_member, pushed):
    # given Bob also in the tenant, and Alice already at the cap
    add_member(tenant, bob)
    for index in range(INBOX_CAP):
        notify(tenant, kind="info", title=f"old {index}", users=[alice])

    # when two more arrive for everyone
    notify(tenant, kind="info", title="new 1")
    notify(tenant, kind="info", title="new 2")

    # then Alice keeps her newest 200 (the two oldest are gone) and Bob keeps his two
    alices = Notification.objects.filter(tenant=tenant, user=alice)
    assert alices.count() == INBOX_CAP
    assert not alices.filter(title__in=["old 0", "old 1"]).exists()
    assert alices.filter(title="old 2").exists()
    assert alices.order_by("-id").first().title == "new 2"
    assert Notification.objects.filter(user=bob).count() == 2
    assert Inbox.objects.get(tenant=tenant, user=alice).stored == INBOX_CAP


def test_kinds_the_user_turned_off_land_in_the_inbox_without_a_push(
    tenant, alice, pushed, django_capture_on_commit_callbacks
):
    services.update_preferences(tenant, alice, live_kinds=["error", "coach_alert"])

    with django_capture_on_commit_callbacks(execute=True):
        quiet = notify(tenant, kind="info", title="FYI", users=[alice])[0]
        loud = notify(tenant, kind="error", title="Bank feed broken", users=[alice])[0]

    assert quiet.seq is None
    assert [p.notification["id"] for p in pushed] == [loud.id]
    # the live sequence has no hole where the silent one was: a hole means a lost push
    assert loud.seq == 1


def test_quiet_hours_push_only_urgent_kinds(
    tenant, alice, pushed, monkeypatch, django_capture_on_commit_callbacks
):
    # given quiet hours 22:00-07:00 in the tenant's zone (New York), and it is 23:30 there
    services.update_preferences(tenant, alice, quiet_start=time(22), quiet_end=time(7))
    monkeypatch.setattr(services.timezone, "now", lambda: datetime(2026, 11, 26, 4, 30, tzinfo=UTC))

    with django_capture_on_commit_callbacks(execute=True):
        notify(tenant, kind="warning", title="Margin slipping", users=[alice])
        urgent = notify(tenant, kind="coach_alert", title="Payroll at risk", users=[alice])[0]

    assert [p.notification["id"] for p in pushed] == [urgent.id]
    assert Notification.objects.filter(user=alice).count() == 2


@pytest.mark.parametrize(
    ("start", "end", "local", "quiet"),
    [
        (time(22), time(7), time(23, 30), True),
        (time(22), time(7), time(6, 59), True),
        (time(22), time(7), time(7), False),
        (time(22), time(7), time(12), False),
        (time(12), time(14), time(13), True),
        (time(12), time(14), time(14), False),
        (None, None, time(3), False),
        (time(9), time(9), time(9), False),
    ],
)
def test_quiet_hours_windows(start, end, local, quiet):
    assert in_quiet_hours(start, end, local) is quiet


def test_muted_kinds_stay_muted_even_when_urgent():
    assert not pushes_live("error", ["info"], None, None, time(12))
    assert pushes_live("error", ["error"], time(0), time(23, 59), time(12))


def _members_of(rows: list[Notification]) -> set[tuple[str, str]]:
    return {(row.tenant.name, row.user.username) for row in rows}


def test_notify_members_reaches_every_member_of_each_tenant(
    tenant, other_tenant, team, bob, pushed, django_capture_on_commit_callbacks
):
    # given Alice's team and Bob's tenant, where Alice is also a viewer
    other_tenant.memberships.create(user=team["owner"], role=Role.VIEWER)

    # when one message goes to each tenant in one call
    with django_capture_on_commit_callbacks(execute=True):
        rows = services.notify_members(
            [
                services.Message(tenant, "coach_alert", "Runway low"),
                services.Message(other_tenant, "coach_alert", "Margin thin", data={"r": 2}),
            ]
        )

    # then every member of each got its tenant's message, and nobody else's
    assert _members_of(rows) == {
        ("Alice Bakery", "alice"),
        ("Alice Bakery", "ada"),
        ("Alice Bakery", "max"),
        ("Alice Bakery", "vic"),
        ("Bob Bikes", "bob"),
        ("Bob Bikes", "alice"),
    }
    assert {(p.tenant_id, p.notification["title"]) for p in pushed} == {
        (tenant.pk, "Runway low"),
        (other_tenant.pk, "Margin thin"),
    }
    # Alice's two inboxes count apart
    assert Inbox.objects.get(tenant=other_tenant, user=team["owner"]).live_seq == 1


def test_notify_members_costs_the_same_queries_for_two_tenants_as_for_ten(
    make_user, add_member, pushed
):
    def cost(count: int) -> int:
        messages = []
        for index in range(count):
            owner = make_user()
            tenant = create_tenant(owner, name=f"T{count}-{index}", timezone="Asia/Kolkata")
            add_member(tenant, make_user())
            messages.append(services.Message(tenant, "coach_alert", "Cash"))
        with CaptureQueriesContext(connection) as captured:
            rows = services.notify_members(messages)
        assert len(rows) == 2 * count
        return len(captured.captured_queries)

    assert cost(2) == cost(10)


def test_notify_members_validates_every_message_before_writing(tenant, team, pushed):
    with pytest.raises(NotifyError, match="kind"):
        services.notify_members(
            [services.Message(tenant, "info", "fine"), services.Message(tenant, "shout", "bad")]
        )

    assert not Notification.objects.exists()


def test_notify_members_prunes_each_inbox_to_the_cap(tenant, other_tenant, alice, bob, pushed):
    other_tenant.memberships.create(user=alice)
    for index in range(INBOX_CAP):
        notify(tenant, kind="info", title=f"old {index}", users=[alice])

    services.notify_members(
        [services.Message(tenant, "info", "new"), services.Message(other_tenant, "info", "new")]
    )

    assert Notification.objects.filter(tenant=tenant, user=alice).count() == INBOX_CAP
    assert not Notification.objects.filter(tenant=tenant, title="old 0").exists()
    assert Notification.objects.filter(tenant=other_tenant, user=alice).count() == 1
