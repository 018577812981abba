"""The "Bank and cash" page in a real browser: a statement dropped on the books page leads to it;
the daily cash chart covers its data at 1280 and 390 pixels wide, with the months' money in,
out and closing cash; the transactions page, filter by account, words and dates (a range the
wrong way round is said at its field); an unusual movement marked normal stays so after a
reload and a viewer sees no button for it; a business without a bank is pointed to its books.
Screenshots at both widths, and the accessibility check at each."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from gateway.models import Membership, Role
from gateway.services import create_tenant
from insights.imports.models import BankAccount, MovementAlert, MovementRule, NormalMovement
from insights.imports.samples import Row, render_ofx
from insights.imports.service import run_import
from tests.e2e.conftest import ARTIFACTS, off_loop
from tests.e2e.test_imports_console import PASSWORD, _drop, _login, _months_back
from tests.e2e.test_screens import both_widths, check_chart, new_page, unexpected
from tests.processes import daphne_server

pytestmark = [pytest.mark.e2e, pytest.mark.services]

WIDTHS = (1280, 390)
DASH, MINUS = "\u2013", "\u2212"  # as the console writes a range and money out


def _business() -> tuple[str, str, date]:
    """A shop, its owner and a viewer; a euro savings account already imported (not counted in
    the dollar cash), and a business of the owner's with no bank at all."""
    users = get_user_model().objects
    owner = users.create_user(username="marta", password=PASSWORD)
    viewer = users.create_user(username="vic", password=PASSWORD)
    tenant = create_tenant(owner, name="Alfama Bikes", timezone="America/New_York", currency="USD")
    Membership.objects.create(user=viewer, tenant=tenant, role=Role.VIEWER)
    empty = create_tenant(owner, name="Belem Bikes", timezone="America/New_York", currency="USD")
    today = tenant.local_today()
    savings = [
        Row(today - timedelta(days=40), Decimal("12.50"), "INTEREST", "sav-1"),
        Row(today - timedelta(days=10), Decimal("-500.00"), "TRANSFER TO CHECKING", "sav-2"),
    ]
    data = render_ofx(
        savings,
        bank_id="BCPTPTPL",
        account_id="PT50-0002-7777",
        currency="EUR",
        start=today - timedelta(days=60),
        end=today - timedelta(days=1),
        balance=Decimal("20000.00"),
    )
    run_import(tenant, owner, data, file_name="savings.ofx")
    return str(tenant.pk), str(empty.pk), today


def _checking(today: date) -> bytes:
    """Five months of a bike shop's checking account, then two payments the week before today
    that Coach should find unusual: the hosting bill at eight times its usual, and a first
    large payment to a supplier never paid before."""
    rows = []
    for month in _months_back(today, 5):
        for day, amount, payee in (
            (2, "14250.00", "SHOPIFY PAYOUT"),
            (4, "-2400.00", "RUA NOVA RENT"),
            (9, "-6100.00", "SHIMANO EUROPE"),
            (10, "-120.00", "CLOUD HOSTING INC"),
            (20, "9800.00", "SHOPIFY PAYOUT"),
        ):
            rows.append(
                Row(month + timedelta(days=day - 1), Decimal(amount), payee, f"{month:%Y%m}{day}")
            )
    rows.append(Row(today - timedelta(days=5), Decimal("-980.00"), "CLOUD HOSTING INC", "spike"))
    rows.append(
        Row(today - timedelta(days=3), Decimal("-5000.00"), "BRAND NEW SUPPLIER LTD", "new")
    )
    return render_ofx(
        rows,
        bank_id="021000021",
        account_id="000555123456",
        currency="USD",
        start=rows[0].posted_on,
        end=today - timedelta(days=1),
        balance=Decimal("148210.55"),
    )


def _rows(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        "[data-testid=transactions] tbody tr",
        "rows => rows.map(r => ({direction: r.dataset.direction,"
        " cells: [...r.cells].map(c => c.innerText.trim())}))",
    )


def _answered(page: Any, button: str) -> None:
    """Click a button of the transactions and wait for the live region to say what it did."""
    page.eval_on_selector("#bank-status", "node => { node.textContent = ''; }")
    page.click(button)
    page.wait_for_function("() => document.querySelector('#bank-status').textContent !== ''")


def test_the_bank_page_from_a_statement_to_a_movement_marked_normal(
    transactional_db, chromium_browser
) -> None:
    tenant_id, empty_id, today = off_loop(_business)
    errors: list[str] = []
    page = new_page(chromium_browser, errors)
    with daphne_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        # the statement, dropped on the books page, leads to the bank
        _login(page, base, tenant_id, "marta")
        page.click("#nav a[data-page=books]")
        page.wait_for_selector("h1:has-text('Add your books')")
        _drop(page, "checking.ofx", _checking(today).decode(), "application/x-ofx")
        page.click("#import-confirm")
        page.click("[data-testid=see-bank]")
        page.wait_for_selector("h1#bank-title")
        assert "page=bank" in page.url
        expect(page.locator("#bank-title")).to_be_focused()
        assert page.get_attribute("#nav a[data-page=bank]", "aria-current") == "page"

        # the daily cash: the chart covers its data and its labels do not overlap, at both widths
        page.wait_for_selector("[data-testid=cash-chart] svg.chart")
        assert "$148,210.55" in page.inner_text("[data-testid=cash-now]")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(300)
            check_chart(page, "[data-testid=cash-chart]")
        page.set_viewport_size({"width": 1280, "height": 900})
        months = page.eval_on_selector_all(
            "[data-testid=cash-months] tbody tr",
            "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))",
        )
        assert len(months) >= 5
        assert all(cell.startswith("$") or cell == "—" for row in months for cell in row[1:]), (
            months
        )
        assert "Not counted in the cash" in page.inner_text(".bank-cash")
        assert "(EUR)" in page.inner_text(".bank-cash")

        # the transactions, the newest first, 25 a page; money in and out in their own columns
        count = page.inner_text("[data-testid=txn-count]")
        assert count.startswith(f"1{DASH}25 of 29 transactions"), count
        first = _rows(page)
        assert len(first) == 25
        newest = first[0]
        assert newest["direction"] == "out"
        assert "BRAND NEW SUPPLIER LTD" in newest["cells"][1]
        assert newest["cells"][3:] == ["", f"{MINUS}$5,000.00"]
        payouts = [r for r in first if "SHOPIFY" in r["cells"][1]]
        assert payouts
        assert all(r["cells"][3].startswith("+$") for r in payouts), payouts
        _answered(page, "[data-page=next]")
        page.wait_for_selector(f"[data-testid=txn-count]:has-text('26{DASH}29 of 29')")
        assert f"26{DASH}29 of 29" in page.inner_text("#bank-status")  # said in the live region
        expect(page.locator("[data-page=next]")).to_be_disabled()

        # by account: the euro savings, in euros
        savings = off_loop(lambda: BankAccount.objects.get(tenant_id=tenant_id, currency="EUR"))
        assert "7777 (EUR)" in page.inner_text(f"#txn-account option[value='{savings.pk}']")
        page.select_option("#txn-account", str(savings.pk))
        _answered(page, "form[data-name=transaction-filters] button[type=submit]")
        page.wait_for_selector("[data-testid=txn-count]:has-text('of 2 transactions')")
        assert [r["cells"][3] or r["cells"][4] for r in _rows(page)] == [
            f"{MINUS}€500.00",
            "+€12.50",
        ]
        # by words and dates
        page.select_option("#txn-account", "")
        page.fill("#txn-search", "shimano")
        page.fill("#txn-from", (today - timedelta(days=70)).isoformat())
        page.fill("#txn-to", today.isoformat())
        _answered(page, "form[data-name=transaction-filters] button[type=submit]")
        page.wait_for_selector("[data-testid=txn-count]:has-text('matching the filters')")
        found = _rows(page)
        assert 1 <= len(found) <= 3
        assert all("SHIMANO EUROPE" in r["cells"][1] for r in found)
        # a range the wrong way round: said at the field, the list stays as it was
        page.fill("#txn-from", today.isoformat())
        page.fill("#txn-to", (today - timedelta(days=70)).isoformat())
        _answered(page, "form[data-name=transaction-filters] button[type=submit]")
        page.wait_for_selector("[data-field=to] .field-error:not([hidden])")
        assert page.get_attribute("#txn-to", "aria-invalid") == "true"
        assert len(_rows(page)) == len(found)
        _answered(page, "form[data-name=transaction-filters] [data-action=clear]")
        page.wait_for_selector(f"[data-testid=txn-count]:has-text('1{DASH}25 of 29 transactions')")
        assert page.is_hidden("[data-field=to] .field-error")

        # the unusual movements, with their reasons; the screens at both widths
        new_payee = off_loop(
            lambda: MovementAlert.objects.get(tenant_id=tenant_id, rule=MovementRule.NEW_PAYEE).pk
        )
        item = f".movement[data-id='{new_payee}']"
        page.wait_for_selector(item)
        assert "First payment to BRAND NEW SUPPLIER LTD" in page.inner_text(item)
        assert "$5,000.00" in page.inner_text(f"{item} .movement-reason")
        assert page.locator(".movement[data-rule=outside_history]").count() == 1
        both_widths(page, "60-bank")
        page.set_viewport_size({"width": 390, "height": 844})
        # on a phone: the months' table scrolls sideways, says so and takes the keyboard; each
        # transaction is a block with its amount in view
        hint = "[data-testid=cash-months] >> xpath=preceding-sibling::p[1]"
        expect(page.locator(hint)).to_be_visible()
        expect(page.locator(hint)).to_have_text("Scroll sideways to see every column →")
        page.focus("[data-testid=cash-months]")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=cash-months]').scrollLeft > 0"
        )
        expect(
            page.locator("[data-testid=transactions] >> xpath=preceding-sibling::p[1]")
        ).to_be_hidden()
        right = page.eval_on_selector(
            "[data-testid=transactions] tbody tr:first-child td.out",
            "cell => cell.getBoundingClientRect().right",
        )
        assert right <= 390
        page.set_viewport_size({"width": 1280, "height": 900})

        # "This is normal": asked first, then marked, said in the live region, kept on reload
        page.click(f"{item} [data-action=normal]")
        page.click(f"{item} .confirm-inline button:has-text('Yes')")
        page.wait_for_selector(f"{item}[data-normal=true] [data-testid=marked-normal]")
        assert "Marked normal" in page.inner_text("#bank-status")
        expect(page.locator(f"{item} [data-testid=marked-normal]")).to_be_focused()
        assert off_loop(lambda: NormalMovement.objects.filter(tenant_id=tenant_id).count()) == 1
        page.reload()
        page.wait_for_selector(f"{item}[data-normal=true]")
        assert page.locator(f"{item} [data-action=normal]").count() == 0
        page.screenshot(path=str(ARTIFACTS / "61-bank-movement-normal-1280.png"), full_page=True)

        # a movement's notification opens the bank at that movement
        spike = off_loop(
            lambda: (
                MovementAlert.objects.get(tenant_id=tenant_id, rule=MovementRule.OUTSIDE_HISTORY).pk
            )
        )
        page.click("#nav a[data-page=dashboard]")
        page.wait_for_selector(".page-head h1:has-text('Alfama Bikes')")
        page.click("#bell")
        notice = "#drawer-list li:has-text('Unusual payment to CLOUD HOSTING INC')"
        page.click(f"{notice} button:has-text('Open')")
        page.wait_for_selector(f".movement[data-id='{spike}'].highlight")
        expect(page.locator(f".movement[data-id='{spike}']")).to_be_focused()
        assert f"movement={spike}" in page.url

        # a business with no bank: pointed to its books
        page.goto(f"{base}/#tenant={empty_id}&page=bank")
        page.wait_for_selector("#no-bank-title:has-text('No bank transactions yet')")
        both_widths(page, "62-bank-empty")
        page.click("section[aria-labelledby=no-bank-title] [data-testid=add-books]")
        page.wait_for_selector("h1:has-text('Add your books')")

        # a viewer reads it all, with no button to mark a movement normal
        viewer = new_page(chromium_browser, errors)
        _login(viewer, base, tenant_id, "vic")
        viewer.click("#nav a[data-page=bank]")
        viewer.wait_for_selector(f".movement[data-id='{spike}']")
        assert viewer.locator("[data-action=normal]").count() == 0
        assert "Owners, admins and members can mark" in viewer.inner_text(".bank-movements")
        viewer.wait_for_selector(f"{item}[data-normal=true]")
        viewer.set_viewport_size({"width": 390, "height": 844})
        viewer.screenshot(path=str(ARTIFACTS / "63-bank-viewer-390.png"), full_page=True)
    assert (
        unexpected(
            errors,
            r"400 GET /v1/tenants/[-0-9a-f]+/transactions/",  # the backward range
            # a business with no insight yet: its dashboard says so
            r"404 GET /v1/tenants/[-0-9a-f]+/(insights/latest|forecast)/",
        )
        == []
    )
