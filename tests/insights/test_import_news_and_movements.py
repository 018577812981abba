"""Bank transactions in the daily insight ("every morning has news") and unusual movements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from insights.daily import run_today
from insights.imports.models import MovementAlert, MovementRule
from insights.imports.samples import Row, render_ofx
from notifications.models import Notification

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
