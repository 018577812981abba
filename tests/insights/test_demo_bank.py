"""The demo tenant whose books came in as a spreadsheet and a bank statement."""

from __future__ import annotations

import pytest

from insights.daily import run_today
from insights.demo_bank import seed_bank_demo
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
    assert months.filter(cash_balance__isnull=False).count() >= 3  # filled from the bank
    insight, _ = run_today(tenant)
    assert insight.score is not None
    assert insight.change["cash"]["count"] > 0
    assert "NOK" in insight.change["cash"]["sentence"] or "kr" in insight.change["cash"]["sentence"]
