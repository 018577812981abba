"""Financial periods through the API: atomic upserts, clear errors, nobody else's books."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.models import Role
from insights.financials import MAX_PERIODS_PER_REQUEST
from insights.models import FinancialPeriod
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _url(tenant) -> str:
    return f"/v1/tenants/{tenant.id}/financials/"


GOOD = [
    {"month": "2025-01", "revenue": "90000.00", "cogs": 40000, "cash_balance": -1500},
    {"month": "2025-02-01", "revenue": 95000, "accounts_receivable": "45000.50"},
]


def test_it_upserts_periods_and_lists_them(api, tenant):
    created = api.post(_url(tenant), GOOD, format="json")

    assert created.status_code == 200, created.json()
    assert (created.json()["created"], created.json()["updated"]) == (2, 0)
    rows = api.get(_url(tenant)).json()["results"]
    assert [row["month"] for row in rows] == ["2025-01", "2025-02"]
    assert rows[0]["cash_balance"] == "-1500.00"
    assert rows[1]["accounts_receivable"] == "45000.50"
    assert rows[1]["cogs"] is None  # unknown stays unknown, never zero


def test_a_second_post_updates_only_the_fields_it_names(api, tenant):
    api.post(_url(tenant), GOOD, format="json")

    response = api.post(
        _url(tenant),
        {"periods": [{"month": "2025-01", "revenue": 91000, "cogs": None}]},
        format="json",
    )

    assert (response.json()["created"], response.json()["updated"]) == (0, 1)
    row = FinancialPeriod.objects.get(tenant=tenant, month="2025-01-01")
    assert row.revenue == Decimal("91000.00")
    assert row.cogs is None
    assert row.cash_balance == Decimal("-1500.00")
    assert FinancialPeriod.objects.filter(tenant=tenant).count() == 2


def test_it_filters_by_date_range(api, tenant):
    api.post(
        _url(tenant),
        [{"month": f"2024-{m:02d}", "revenue": m} for m in range(1, 13)],
        format="json",
    )

    rows = api.get(_url(tenant), {"from": "2024-03", "to": "2024-05"}).json()["results"]

    assert [row["month"] for row in rows] == ["2024-03", "2024-04", "2024-05"]
    assert api.get(_url(tenant), {"from": "March"}).status_code == 400


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"from": "2024-13"}, "from: is not a valid month"),
        ({"from": "March"}, "from: must be a month as YYYY-MM"),
        ({"to": "2024-02-15"}, "to: must be a month as YYYY-MM"),
        ({"to": "²⁰²⁴-01"}, "to: must be a month as YYYY-MM"),
    ],
)
def test_a_bad_month_filter_is_a_400_naming_it(api, tenant, params, detail):
    response = api.get(_url(tenant), params)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)


@pytest.mark.parametrize(
    ("bad_row", "field", "fragment"),
    [
        ({"month": "2025-13", "revenue": 1}, "month", "not a valid month"),
        ({"month": "January", "revenue": 1}, "month", "YYYY-MM"),
        ({"revenue": 1}, "month", "required"),
        ({"month": "2099-01", "revenue": 1}, "month", "future"),
        ({"month": "2025-03", "revenue": -5}, "revenue", "negative"),
        ({"month": "2025-03", "inventory_value": "lots"}, "inventory_value", "number"),
        ({"month": "2025-03", "revenue": 1e15}, "revenue", "out of range"),
        ({"month": "2025-03", "revenue": "NaN"}, "revenue", "plain decimal"),
        ({"month": "2025-03", "revenue": True}, "revenue", "boolean"),
        ({"month": "2025-03", "revenue": "1.234"}, "revenue", "decimal places"),
        ({"month": "2025-03", "payroll": 10, "operating_expenses": 5}, "payroll", "exceed"),
        ({"month": "2025-03", "profit": 5}, "profit", "unknown field"),
        ({"month": "2025-01", "revenue": 1}, "month", "repeats row 0"),
        ("not an object", "non_field_errors", "object"),
    ],
)
def test_one_bad_row_rejects_the_whole_request(api, tenant, bad_row, field, fragment):
    # given a good row followed by a bad one
    payload = [{"month": "2025-01", "revenue": 100}, bad_row]

    # when they are sent together
    response = api.post(_url(tenant), payload, format="json")

    # then the answer names row 1 and the field, and nothing was written
    assert response.status_code == 400
    body = response.json()
    prefix = "periods.1:" if field == "non_field_errors" else f"periods.1.{field}:"
    assert body["detail"].startswith(prefix), body
    assert field in body["errors"]["periods"]["1"]
    assert fragment in body["detail"]
    assert not FinancialPeriod.objects.filter(tenant=tenant).exists()


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ([], "at least one"),
        ({"periods": "x"}, "list"),
        (
            [{"month": "2020-01"}] * (MAX_PERIODS_PER_REQUEST + 1),
            f"at most {MAX_PERIODS_PER_REQUEST}",
        ),
    ],
)
def test_it_rejects_bad_batches(api, tenant, payload, fragment):
    response = api.post(_url(tenant), payload, format="json")

    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_a_viewer_cannot_write_books(tenant, make_user, add_member):
    viewer = make_user()
    add_member(tenant, viewer, Role.VIEWER)

    response = client_for(viewer).post(_url(tenant), GOOD, format="json")

    assert response.status_code == 403
    assert not FinancialPeriod.objects.exists()


def test_another_tenants_books_answer_404(api, other_tenant):
    FinancialPeriod.objects.create(tenant=other_tenant, month="2025-01-01", revenue=1)

    assert api.get(_url(other_tenant)).status_code == 404
    assert api.post(_url(other_tenant), GOOD, format="json").status_code == 404
    assert FinancialPeriod.objects.filter(tenant=other_tenant).count() == 1


@pytest.mark.parametrize(
    "amount",
    ["1,50", "1,2,3,4", "45,000.50", "1 000", "1_000", "1e3", "$5", "5 USD", "١٢", "1.2.3", "--1"],
)
def test_an_amount_that_is_not_a_plain_decimal_is_refused_with_the_accepted_form(
    api, tenant, amount
):
    # "1,50" used to be stored as 150.00 and "1,2,3,4" as 1234.00: commas were dropped
    response = api.post(_url(tenant), [{"month": "2025-03", "revenue": amount}], format="json")

    assert response.status_code == 400, response.json()
    detail = response.json()["detail"]
    assert detail.startswith("periods.0.revenue: must be a plain decimal number like 1234.56")
    assert repr(amount) in detail
    assert not FinancialPeriod.objects.filter(tenant=tenant).exists()


@pytest.mark.parametrize(
    ("amount", "stored"),
    [
        ("1234.56", "1234.56"),
        (" -80 ", "-80.00"),
        ("+5", "5.00"),
        (".5", "0.50"),
        ("7.", "7.00"),
        (1234.5, "1234.50"),
        (12, "12.00"),
    ],
)
def test_plain_decimals_and_json_numbers_are_stored_as_given(api, tenant, amount, stored):
    response = api.post(_url(tenant), [{"month": "2025-03", "net_income": amount}], format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["periods"][0]["net_income"] == stored


@pytest.mark.parametrize(
    ("update", "field", "fragment"),
    [
        ({"payroll": 6000}, "payroll", "stored operating_expenses of 2025-01 is 5000.00"),
        (
            {"operating_expenses": 3000},
            "operating_expenses",
            "stored payroll of 2025-01 is 4000.00",
        ),
    ],
)
def test_a_partial_update_is_checked_against_the_stored_values(
    api, tenant, update, field, fragment
):
    # given a month whose payroll sits within its operating expenses
    api.post(_url(tenant), [{"month": "2025-01", "payroll": 4000, "operating_expenses": 5000}])

    # when an update names only one side of the rule and breaks it against the stored other side
    response = api.post(_url(tenant), [{"month": "2025-01", **update}], format="json")

    # then it is refused, naming the field it sent, and nothing changed
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]["periods"]["0"]
    assert fragment in response.json()["detail"]
    row = FinancialPeriod.objects.get(tenant=tenant, month="2025-01-01")
    assert (row.payroll, row.operating_expenses) == (4000, 5000)


def test_a_partial_update_within_the_stored_values_or_off_the_rule_passes(api, tenant):
    api.post(_url(tenant), [{"month": "2025-01", "payroll": 4000, "operating_expenses": 5000}])

    ok = api.post(_url(tenant), [{"month": "2025-01", "payroll": 4500}], format="json")
    unrelated = api.post(_url(tenant), [{"month": "2025-01", "revenue": 1}], format="json")
    cleared = api.post(_url(tenant), [{"month": "2025-01", "operating_expenses": None}])

    assert (ok.status_code, unrelated.status_code, cleared.status_code) == (200, 200, 200)
