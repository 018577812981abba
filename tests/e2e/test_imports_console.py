""" "Add your books" in a real browser: a new business goes from no books to its first insight by
dropping a bank statement and a spreadsheet; a bad file is shown with every error at its line
and nothing written; a bank export with other headers takes a column mapping; an undo restores
the months, and one that a later import blocks says which month and why."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook
from playwright.sync_api import expect

from gateway.models import Tenant
from gateway.services import create_tenant
from insights.daily import run_today
from insights.imports.models import BankTransaction, DataImport
from insights.imports.samples import Row, render_ofx
from insights.models import FinancialPeriod, Insight
from tests.e2e.conftest import off_loop
from tests.processes import celery_worker, daphne_server, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.services]

PASSWORD = "books-in-2025"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _new_business(username: str) -> str:
    owner = get_user_model().objects.create_user(username=username, password=PASSWORD)
    tenant = create_tenant(owner, name="Alfama Bikes", timezone="Europe/Lisbon", currency="USD")
    return str(tenant.pk)


def _months_back(today: date, n: int) -> list[date]:
    """The first days of the ``n`` closed months before this one, oldest first."""
    first = today.replace(day=1)
    months = []
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def _statement(today: date) -> bytes:
    """Six months of a bike shop's checking account: takings in, rent and a supplier out."""
    moves = (
        (2, "14250.00", "SHOPIFY PAYOUT"),
        (4, "-2400.00", "RUA NOVA RENT"),
        (9, "-6100.00", "SHIMANO EUROPE"),
        (20, "9800.00", "SHOPIFY PAYOUT"),
    )
    rows = [
        Row(month + timedelta(days=day), Decimal(amount), payee, f"{month:%Y%m}{i}")
        for month in _months_back(today, 6)
        for i, (day, amount, payee) in enumerate(moves)
    ]
    # a payout on the 1st of this month: the statement covers last month's end, so its cash
    rows.append(Row(today.replace(day=1), Decimal("310.00"), "SHOPIFY PAYOUT", "closing"))
    start, end = rows[0].posted_on, today
    return render_ofx(
        rows,
        bank_id="021000021",
        account_id="000555123456",
        currency="USD",
        start=start,
        end=end,
        balance=Decimal("98210.55"),
    )


def _figures(today: date) -> bytes:
    """The same six months' results, as an owner keeps them in a spreadsheet."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Month", "Sales", "Cost of sales", "Operating expenses", "Wages", "Net profit"])
    for month in _months_back(today, 6):
        sheet.append([month, 24050, 11800, 7900, 4300, 4350])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _login(page: Any, base: str, tenant_id: str, username: str) -> None:
    page.goto(f"{base}/#tenant={tenant_id}")
    page.wait_for_selector("#login-form")
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#ws-state[data-state=connected]")


def _drop(page: Any, name: str, text: str, mime: str) -> None:
    """Drag a file onto the drop zone, as the browser delivers it: a DataTransfer with a File."""
    transfer = page.evaluate_handle(
        """([name, text, mime]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], name, { type: mime }));
            return dt;
        }""",
        [name, text, mime],
    )
    page.dispatch_event("[data-testid=drop-zone]", "dragover", {"dataTransfer": transfer})
    page.dispatch_event("[data-testid=drop-zone]", "drop", {"dataTransfer": transfer})


def _pick(page: Any, name: str, data: bytes, mime: str) -> None:
    """Choose a file with the picker (the file input the drop zone's label opens)."""
    page.set_input_files("#import-file", files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_a_new_business_goes_from_no_books_to_its_first_insight(
    transactional_db, browser, shot
) -> None:
    tenant_id = off_loop(_new_business, "alfama")
    today = off_loop(lambda: Tenant.objects.get(pk=tenant_id).local_today())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    page = browser.pages[0] if browser.pages else browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    with celery_worker(), daphne_server(port):
        _login(page, base, tenant_id, "alfama")
        # the empty dashboard points to the books page
        page.wait_for_selector(".empty-state [data-testid=add-books]")
        shot(page, "40-books-empty-dashboard")
        page.click(".empty-state [data-testid=add-books]")
        page.wait_for_selector("h1:has-text('Add your books')")
        expect(page.locator("#books-title")).to_be_focused()  # focus follows the page
        assert "page=books" in page.url
        page.wait_for_selector("[data-testid=import-history] >> text=Nothing imported yet.")
        shot(page, "41-books-page")

        # the bank statement, dragged in: the preview says what it will do, nothing is written
        _drop(page, "checking.ofx", _statement(today).decode(), "application/x-ofx")
        preview = "[data-testid=import-preview]"
        page.wait_for_selector(f"{preview} h2:has-text('What this file will do')")
        counts = page.inner_text(f"{preview} .import-counts")
        assert "25 transactions added" in " ".join(counts.split())
        assert page.is_visible(f"{preview} .import-table th:has-text('3456')")
        assert "null" not in page.inner_text(preview)
        assert "checked" in page.inner_text("#import-status")
        shot(page, "42-books-preview-statement", full_page=True)
        assert off_loop(lambda: BankTransaction.objects.count()) == 0

        page.click("#import-confirm")
        page.wait_for_selector(f"{preview} h2:has-text('Imported')")
        page.wait_for_selector("[data-testid=import-history] .history-item >> text=checking.ofx")
        assert off_loop(lambda: BankTransaction.objects.filter(tenant_id=tenant_id).count()) == 25

        # the spreadsheet, with the picker
        page.click(f"{preview} button:has-text('Add another file')")
        _pick(
            page,
            "results.xlsx",
            _figures(today),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        page.wait_for_selector(f"{preview} h2:has-text('What this file will do')")
        months = page.locator(f"{preview} .import-table tbody tr[data-month]")
        assert months.count() == 6
        assert "Monthly figures (Excel)" in page.inner_text(preview)
        shot(page, "43-books-preview-spreadsheet", full_page=True)
        page.click("#import-confirm")
        page.wait_for_selector(f"{preview} h2:has-text('Imported')")
        assert page.locator("[data-testid=import-history] .history-item").count() == 2
        shot(page, "44-books-imported", full_page=True)

        page.set_viewport_size(PHONE)
        shot(page, "45-books-imported-phone", full_page=True)
        page.set_viewport_size(DESKTOP)

        # the first insight, now
        page.click("#see-insight")
        # scored in the request (the morning's pipeline), then the dashboard and its forecast
        page.wait_for_selector("[data-testid=score]", timeout=45_000)
        score = page.inner_text("[data-testid=score]")
        assert 0 <= float(score) <= 100, score
        assert "page=books" not in page.url
        shot(page, "46-books-first-insight", full_page=True)

    insight = off_loop(lambda: Insight.objects.get(tenant_id=tenant_id))
    assert insight.has_data
    assert insight.score is not None
    assert off_loop(lambda: FinancialPeriod.objects.filter(tenant_id=tenant_id).count()) == 6
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors


BAD_CSV = (
    "Month,Sales,Cost of sales\n"
    "2025-01,1000,400\n"
    '2025-02,"1,000",400\n'
    "2025-13,1000,400\n"
    "2025-01,5,5\n"
)
GERMAN = (
    "Buchungstag;Verwendungszweck;Betrag;Saldo\n"
    "2025-03-02;Miete Laden;-900.00;4100.00\n"
    "2025-03-05;Kartenzahlung;250.00;4350.00\n"
)


def test_errors_at_their_lines_a_column_mapping_and_undo_on_a_phone(
    transactional_db, browser, shot
) -> None:
    tenant_id = off_loop(_new_business, "alfama2")
    # this morning's insight came before any books: it has nothing to score
    insight, _ = off_loop(lambda: run_today(Tenant.objects.get(pk=tenant_id)))
    assert insight is not None
    assert not insight.has_data
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.set_viewport_size(PHONE)
    preview = "[data-testid=import-preview]"
    history = "[data-testid=import-history]"

    with daphne_server(port):
        _login(page, base, tenant_id, "alfama2")
        page.wait_for_selector("#no-books-title:has-text('No books yet')")
        shot(page, "47-books-no-books-phone", full_page=True)
        page.click("section[aria-labelledby=no-books-title] [data-testid=add-books]")
        page.wait_for_selector("h1:has-text('Add your books')")
        page.reload()  # the address keeps the page
        page.wait_for_selector("h1:has-text('Add your books')")
        shot(page, "47-books-page-phone", full_page=True)

        # a bad spreadsheet: every error at its line and field, nothing written
        _pick(page, "bad.csv", BAD_CSV.encode(), "text/csv")
        page.wait_for_selector(f"{preview} h2:has-text('3 problems found: nothing was saved')")
        rows = page.locator("[data-testid=import-problems] tbody tr")
        assert [
            (rows.nth(i).get_attribute("data-line"), rows.nth(i).get_attribute("data-field"))
            for i in range(3)
        ] == [
            ("3", "revenue"),
            ("4", "month"),
            ("5", "month"),
        ]
        assert "line 3, column “Sales”" in rows.nth(0).inner_text()
        assert "repeats line 2" in rows.nth(2).inner_text()
        expect(page.locator("#preview-title")).to_be_focused()
        assert "problems found" in page.inner_text("#import-status")
        shot(page, "48-books-errors-phone", full_page=True)
        page.set_viewport_size(DESKTOP)
        shot(page, "49-books-errors", full_page=True)
        page.set_viewport_size(PHONE)
        assert off_loop(lambda: (DataImport.objects.count(), FinancialPeriod.objects.count())) == (
            0,
            0,
        )

        # a bank export with other headers: the console asks for its columns
        _pick(page, "konto.csv", GERMAN.encode(), "text/csv")
        page.wait_for_selector(".bank-options:not([hidden])")
        page.select_option(".bank-options select[name=date]", "Buchungstag")
        page.select_option(".bank-options select[name=description]", "Verwendungszweck")
        page.select_option(".bank-options select[name=amount]", "Betrag")
        page.select_option(".bank-options select[name=balance]", "Saldo")
        page.fill("#import-account", "Sparkasse")
        shot(page, "50-books-mapping-phone", full_page=True)
        page.click("#import-recheck")
        page.wait_for_selector(f"{preview} h2:has-text('What this file will do')")
        assert "2 transactions added" in " ".join(
            page.inner_text(f"{preview} .import-counts").split()
        )
        page.click("#import-confirm")
        page.wait_for_selector(f"{history} .history-item >> text=konto.csv")
        assert off_loop(
            lambda: list(
                BankTransaction.objects.order_by("posted_on").values_list("payee", flat=True)
            )
        ) == [
            "Miete Laden",
            "Kartenzahlung",
        ]

        # two imports of the same month: the first cannot be undone while the second stands
        for name, revenue in (("january.csv", 100), ("january-fixed.csv", 200)):
            page.click(f"{preview} button:has-text('Add another file')")
            _pick(page, name, f"Month,Revenue\n2025-01,{revenue}\n".encode(), "text/csv")
            page.wait_for_selector(f"{preview} h2:has-text('What this file will do')")
            page.click("#import-confirm")
            page.wait_for_selector(f"{history} .history-item >> text={name}")
        first = f"{history} .history-item:has-text('january.csv')"
        page.click(f"{first} button:has-text('Undo')")
        page.click(f"{first} button:has-text('Yes, undo it')")
        page.wait_for_selector(f"{first} .form-error:not([hidden])")
        message = page.inner_text(f"{first} .form-error")
        assert "2025-01 changed after this import" in message
        assert "The imports above it in this list came later" in message
        shot(page, "51-books-undo-refused-phone", full_page=True)

        # undo the later one, then the first: January is gone again
        later = f"{history} .history-item:has-text('january-fixed.csv')"
        page.click(f"{later} button:has-text('Undo')")
        page.click(f"{later} button:has-text('Yes, undo it')")
        page.wait_for_selector(f"{later}[data-status=undone]")
        assert off_loop(
            lambda: FinancialPeriod.objects.get(month=date(2025, 1, 1)).revenue
        ) == Decimal("100.00")
        page.click(f"{first} button:has-text('Undo')")
        page.click(f"{first} button:has-text('Yes, undo it')")
        page.wait_for_selector(f"{first}[data-status=undone]")
        assert "was undone" in page.inner_text("#import-status")
        shot(page, "52-books-undone-phone", full_page=True)

    assert off_loop(lambda: FinancialPeriod.objects.filter(tenant_id=tenant_id).exists()) is False
    assert off_loop(lambda: BankTransaction.objects.count()) == 2  # the bank export stays
