"""The demo tenant whose books came in as a spreadsheet and a bank statement."""

from __future__ import annotations

from datetime import timedelta

import pytest

from insights.daily import run_today
from insights.demo_bank import seed_bank_demo
from insights.forecast.store import compute
from insights.imports.models import BankTransaction, DataImport
from insights.models import FinancialPeriod

pytestmark = pytest.mark.django_db


def test_the_bank_demo_imports_its_files_once_and_has_news(alice):
    first = seed_bank_demo(alice)
    again = seed_bank_demo(alice)

    tenant = first.tenant
    assert len(first.imported) == 2
    assert again.imported == []  # the same files the same day: skipped
    assert DataImport.objects.filter(tenant=tenant).count() == 2
    assert BankTransaction.objects.filter(tenant=tenant).count() > 120
    months = FinancialPeriod.objects.filter(tenant=tenant)
    assert months.count() == 12
    assert months.filter(cash_balance__isnull=False).count() == 12  # every month's, from the bank
    # a year of books to fit, starting from the bank's balance of yesterday
    forecast = compute(tenant).forecast
    assert forecast is not None
    assert forecast.method.startswith("ETS")
    assert forecast.as_of == tenant.local_today() - timedelta(days=1)
    insight, _ = run_today(tenant)
    assert insight.score is not None
    assert insight.change["cash"]["count"] > 0
    assert "NOK" in insight.change["cash"]["sentence"] or "kr" in insight.change["cash"]["sentence"]
