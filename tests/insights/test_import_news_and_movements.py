"""Bank transactions in the daily insight ("every morning has news") and unusual movements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from gateway.models import Role
from insights.daily import run_today
from insights.imports.models import MovementAlert, MovementRule, NormalMovement
from insights.imports.samples import Row, render_ofx
from notifications.models import Notification
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def statement(rows, *, balance, start, end) -> bytes:
    return render_ofx(
        rows,
        bank_id="026009593",
        account_id="4417-99",
        currency="USD",
        start=start,
        end=end,
        balance=Decimal(balance),
    )


def send(api, tenant, data: bytes):
    response = api.post(
        f"/v1/tenants/{tenant.id}/imports/",
        {"file": SimpleUploadedFile("bank.ofx", data)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def row(day: date, amount: str, payee: str) -> Row:
    return Row(day, Decimal(amount), payee, f"{day:%Y%m%d}-{payee[:6]}-{amount}")


@pytest.fixture
def morning():
    """Mid-March, 10:00 in New York (the tenant's zone)."""
    with time_machine.travel(datetime(2026, 3, 20, 14, 0, tzinfo=UTC), tick=False) as clock:
        yield clock


def test_the_daily_insight_tells_the_transactions_since_the_previous_one(
    api, tenant, books, morning
):
    books(tenant, "healthy", date(2026, 2, 1))
    history = [
        row(date(2026, 2, 1) + timedelta(days=i), "-50.00", "CORNER CAFE") for i in range(45)
    ]
    send(
        api,
        tenant,
        statement(history, balance="20000.00", start=date(2026, 2, 1), end=date(2026, 3, 17)),
    )
    first, _ = run_today(tenant)
    assert first is not None

    morning.move_to(datetime(2026, 3, 21, 14, 0, tzinfo=UTC))
    new = [
        row(date(2026, 3, 20), "4200.00", "NORTHWIND TRADERS"),
        row(date(2026, 3, 21), "-75.00", "CORNER CAFE"),
    ]
    send(
        api,
        tenant,
        statement(new, balance="24125.00", start=date(2026, 3, 18), end=date(2026, 3, 21)),
    )
    second, _ = run_today(tenant)

    news = second.change["cash"]
    assert (news["since"], news["until"], news["count"]) == ("2026-03-20", "2026-03-21", 2)
    assert (news["cash_in"], news["cash_out"]) == ("4200.00", "75.00")
    assert news["largest"][0] == {
        "posted_on": "2026-03-20",
        "amount": "4200.00",
        "payee": "NORTHWIND TRADERS",
    }
    assert news["balance"] == "24125.00"
    # 28 days before 21 March: 21 February, with 24 coffees still to come before the 17th
    assert news["same_weekday_last_month"] == {"date": "2026-02-21", "balance": "21200.00"}
    assert "NORTHWIND TRADERS" in news["sentence"]
    assert news != first.change.get("cash")


def test_a_tenant_without_a_bank_has_no_cash_news(tenant, books, morning):
    books(tenant, "healthy", date(2026, 2, 1))

    insight, _ = run_today(tenant)

    assert "cash" not in insight.change


def _history(today: date) -> list[Row]:
    rows = []
    for back in (1, 2, 3, 4):
        index = today.year * 12 + today.month - 1 - back
        month = date(index // 12, index % 12 + 1, 1)
        rows.append(row(month.replace(day=5), "3000.00", "NORTHWIND TRADERS"))
        rows.append(row(month.replace(day=10), "-120.00", "CLOUD HOSTING INC"))
    return rows


def test_unusual_movements_alert_with_their_reason_once(api, tenant, alice, morning):
    today = date(2026, 3, 20)
    rows = [
        *_history(today),
        row(date(2026, 3, 16), "-980.00", "CLOUD HOSTING INC"),  # 8x the usual 120
        row(date(2026, 3, 18), "-5000.00", "BRAND NEW SUPPLIER LTD"),
        row(date(2026, 3, 19), "-40.00", "CORNER CAFE"),  # new but small
    ]
    data = statement(rows, balance="9000.00", start=date(2025, 11, 1), end=date(2026, 3, 19))

    send(api, tenant, data)

    alerts = {a.rule: a for a in MovementAlert.objects.filter(tenant=tenant)}
    assert set(alerts) == {
        MovementRule.OUTSIDE_HISTORY,
        MovementRule.NEW_PAYEE,
        MovementRule.MISSING_RECEIPT,
    }
    assert "980.00" in alerts[MovementRule.OUTSIDE_HISTORY].reason
    assert "usual $120.00" in alerts[MovementRule.OUTSIDE_HISTORY].reason
    assert alerts[MovementRule.NEW_PAYEE].payee == "BRAND NEW SUPPLIER LTD"
    assert "day 5" in alerts[MovementRule.MISSING_RECEIPT].reason
    inbox = Notification.objects.filter(user=alice, tenant=tenant, kind="warning")
    assert inbox.count() == 3
    assert {n.data["rule"] for n in inbox} == {r.value for r in MovementRule}
    # the same file again: nothing new, nothing alerted twice
    api.post(
        f"/v1/tenants/{tenant.id}/imports/",
        {"file": SimpleUploadedFile("again.ofx", data)},
        format="multipart",
    )
    assert MovementAlert.objects.filter(tenant=tenant).count() == 3
    listed = api.get(f"/v1/tenants/{tenant.id}/movements/").json()["results"]
    assert len(listed) == 3


def test_this_is_normal_stops_the_same_alert_for_that_payee(api, tenant, morning):
    today = date(2026, 3, 20)
    send(
        api,
        tenant,
        statement(
            [*_history(today), row(date(2026, 3, 12), "-900.00", "CLOUD HOSTING INC")],
            balance="9000.00",
            start=date(2025, 11, 1),
            end=date(2026, 3, 12),
        ),
    )
    alert = MovementAlert.objects.get(tenant=tenant, rule=MovementRule.OUTSIDE_HISTORY)

    marked = api.post(f"/v1/tenants/{tenant.id}/movements/{alert.pk}/normal/")
    send(
        api,
        tenant,
        statement(
            [row(date(2026, 3, 19), "-950.00", "CLOUD HOSTING INC #2231")],
            balance="8050.00",
            start=date(2026, 3, 13),
            end=date(2026, 3, 19),
        ),
    )

    assert marked.status_code == 201
    assert (
        MovementAlert.objects.filter(tenant=tenant, rule=MovementRule.OUTSIDE_HISTORY).count() == 1
    )


def test_a_first_import_of_old_history_raises_no_alert(api, tenant, morning):
    rows = [row(date(2025, 6, 1), "-9000.00", "ONE OFF BIG VENDOR"), *_history(date(2025, 12, 20))]

    send(
        api, tenant, statement(rows, balance="1.00", start=date(2025, 6, 1), end=date(2025, 12, 20))
    )

    assert not MovementAlert.objects.filter(tenant=tenant).exists()


def test_the_movements_list_says_what_each_is_about_and_what_was_marked_normal(
    api, tenant, other_tenant, bob, make_user, add_member, morning
):
    today = date(2026, 3, 20)
    rows = [
        *_history(today),
        row(date(2026, 3, 16), "-980.00", "CLOUD HOSTING INC"),
        row(date(2026, 3, 18), "-5000.00", "BRAND NEW SUPPLIER LTD"),
    ]
    send(api, tenant, statement(rows, balance="9000.00", start=date(2025, 11, 1), end=today))
    url = f"/v1/tenants/{tenant.id}/movements/"
    listed = {m["rule"]: m for m in api.get(url).json()["results"]}
    new_payee = listed[MovementRule.NEW_PAYEE]
    assert new_payee["title"] == "First payment to BRAND NEW SUPPLIER LTD"
    assert (new_payee["posted_on"], new_payee["amount"], new_payee["currency"]) == (
        "2026-03-18",
        "-5000.00",
        "USD",
    )
    assert "$5,000.00" in new_payee["reason"]  # money in the reason carries its currency
    missing = listed[MovementRule.MISSING_RECEIPT]
    assert (missing["transaction"], missing["posted_on"], missing["amount"]) == (None, None, None)
    assert not any(m["normal"] for m in listed.values())

    # viewers and external accountants read them but cannot mark one normal
    for role in (Role.VIEWER, Role.ACCOUNTANT):
        reader = make_user(f"reader-{role}")
        add_member(tenant, reader, role)
        assert client_for(reader).get(url).status_code == 200
        refused = client_for(reader).post(f"{url}{new_payee['id']}/normal/")
        assert refused.status_code == 403
    assert not NormalMovement.objects.exists()

    member = make_user("mia")
    add_member(tenant, member, Role.MEMBER)
    first = client_for(member).post(f"{url}{new_payee['id']}/normal/")
    again = client_for(member).post(f"{url}{new_payee['id']}/normal/")

    assert (first.status_code, first.json()["created"]) == (201, True)
    assert (again.status_code, again.json()["created"]) == (200, False)
    after = {m["rule"]: m["normal"] for m in api.get(url).json()["results"]}
    assert after == {
        MovementRule.NEW_PAYEE: True,
        MovementRule.OUTSIDE_HISTORY: False,
        MovementRule.MISSING_RECEIPT: False,
    }
    # another business's movement: not found, for reading or marking
    bob_url = f"/v1/tenants/{other_tenant.id}/movements/"
    assert client_for(bob).get(bob_url).json()["results"] == []
    assert client_for(bob).post(f"{bob_url}{new_payee['id']}/normal/").status_code == 404
    assert client_for(bob).post(f"{url}{new_payee['id']}/normal/").status_code == 404
