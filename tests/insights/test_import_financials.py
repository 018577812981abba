"""The CSV import: same validation as the API, errors by line and column, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from insights.models import FinancialPeriod

pytestmark = pytest.mark.django_db


def _write(tmp_path, text: str):
    path = tmp_path / "books.csv"
    path.write_text(text)
    return path


def test_it_imports_a_file_and_summarises(tenant, tmp_path, capsys):
    path = _write(
        tmp_path,
        'month,revenue,cogs,cash_balance\n2025-01,1000,400,-20\n2025-02,"1,200.50",,300\n',
    )

    call_command("import_financials", str(tenant.id), str(path))

    assert "2 period(s) created, 0 updated (2025-01 to 2025-02)" in capsys.readouterr().out
    february = FinancialPeriod.objects.get(tenant=tenant, month="2025-02-01")
    assert february.revenue == Decimal("1200.50")
    assert february.cogs is None


def test_it_finds_the_tenant_by_name(tenant, tmp_path):
    path = _write(tmp_path, "month,revenue\n2025-01,5\n")

    call_command("import_financials", "alice bakery", str(path))

    assert FinancialPeriod.objects.filter(tenant=tenant).count() == 1


def test_errors_name_line_and_column_and_nothing_is_written(tenant, tmp_path):
    path = _write(
        tmp_path,
        "month,revenue,inventory_value\n2025-01,10,5\n2025-02,-3,5\n2025-03,4,abc\n2025-01,1,1\n",
    )

    with pytest.raises(CommandError) as error:
        call_command("import_financials", str(tenant.id), str(path))

    message = str(error.value)
    assert "3 bad line(s), nothing was written" in message
    assert "line 3, column revenue: must not be negative" in message
    assert "line 4, column inventory_value: must be a number" in message
    assert "line 5, column month: 2025-01 repeats line 2" in message
    assert not FinancialPeriod.objects.exists()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("revenue\n10\n", "line 1: the header must name a 'month' column"),
        ("month,profit\n2025-01,1\n", "line 1, column profit: unknown column"),
        ("month,revenue\n", "no periods"),
        ("month,revenue\n2025-01,1,2\n", "line 2: more values than columns"),
    ],
)
def test_it_rejects_malformed_files(tenant, tmp_path, text, fragment):
    with pytest.raises(CommandError, match=fragment):
        call_command("import_financials", str(tenant.id), str(_write(tmp_path, text)))
    assert not FinancialPeriod.objects.exists()


def test_an_unknown_tenant_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no single tenant"):
        call_command("import_financials", "Nobody Inc", str(_write(tmp_path, "month\n")))
