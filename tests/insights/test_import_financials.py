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
        'month,revenue,cogs,cash_balance\n2025-01,1000,400,-20\n2025-02," 1200.50",,300\n',
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
    assert "3 problem(s) on 3 line(s), nothing was written" in message
    assert "line 3, column revenue: must not be negative" in message
    assert "line 4, column inventory_value: must be a plain decimal number like 1234.56" in message
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


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        # the quote opened on line 3 is never closed: the file used to import as if it were
        ('month,revenue\n2025-01,10\n2025-02,"20\n', "line 3: malformed CSV"),
        ('month,revenue\n2025-01,10\n2025-02,"20\n2025-03,30\n', "line 3: malformed CSV"),
        ('month,revenue\n2025-01,"10"x\n', "line 2: malformed CSV"),
        ("month,revenue\n2025-01,10\n2025-02,2\x000\n", "line 3, column revenue: must be a plain"),
        ('month,revenue\n2025-01,"1,50"\n', "line 2, column revenue: must be a plain decimal"),
    ],
)
def test_malformed_csv_is_refused_naming_the_line(tenant, tmp_path, text, fragment):
    with pytest.raises(CommandError, match=fragment):
        call_command("import_financials", str(tenant.id), str(_write(tmp_path, text)))
    assert not FinancialPeriod.objects.exists()


def test_a_field_over_the_csv_limit_is_a_clear_error_naming_the_line(tenant, tmp_path):
    # 128 KiB is the csv module's field limit; it used to escape as a bare csv.Error
    text = "month,revenue\n2025-01,1\n2025-02," + "9" * (200 * 1024) + "\n"

    with pytest.raises(CommandError) as error:
        call_command("import_financials", str(tenant.id), str(_write(tmp_path, text)))

    assert "line 3: a field is longer than 131072 characters" in str(error.value)
    assert not FinancialPeriod.objects.exists()


def test_a_quoted_field_over_two_lines_counts_lines_from_where_the_row_starts(tenant, tmp_path):
    text = 'month,revenue\n2025-01,"1\n0"\n2025-02,-1\n'

    with pytest.raises(CommandError) as error:
        call_command("import_financials", str(tenant.id), str(_write(tmp_path, text)))

    message = str(error.value)
    assert "line 2, column revenue: must be a plain decimal" in message
    assert "line 4, column revenue: must not be negative" in message


def test_every_bad_value_of_a_line_is_named_not_only_the_first(tenant, tmp_path):
    path = _write(
        tmp_path,
        "month,revenue,cogs,payroll,operating_expenses\n2025-13,-1,1.234,10,5\n2025-02,x,2,3,4\n",
    )

    with pytest.raises(CommandError) as error:
        call_command("import_financials", str(tenant.id), str(path))

    message = str(error.value)
    assert "5 problem(s) on 2 line(s), nothing was written" in message
    assert "line 2, column month: is not a valid month" in message
    assert "line 2, column revenue: must not be negative" in message
    assert "line 2, column cogs: has more than 2 decimal places" in message
    assert "line 2, column payroll: must not exceed operating_expenses" in message
    assert "line 3, column revenue: must be a plain decimal number" in message
    assert not FinancialPeriod.objects.exists()


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("revenue,cogs", "the header must name a 'month' column"),
        ("month,profit,Revenue,cogs", "unknown columns profit, Revenue"),
    ],
)
def test_a_wrong_header_lists_every_unknown_column_and_the_accepted_ones(
    tenant, tmp_path, header, named
):
    path = _write(tmp_path, f"{header}\n2025-01,1,2,3\n")

    with pytest.raises(CommandError) as error:
        call_command("import_financials", str(tenant.id), str(path))

    message = str(error.value)
    assert named in message
    assert (
        "accepted columns: month, revenue, cogs, operating_expenses, payroll, net_income, "
        "cash_balance, accounts_receivable, accounts_payable, inventory_value" in message
    )


def test_a_file_of_some_columns_is_checked_against_the_stored_months(tenant, tmp_path):
    FinancialPeriod.objects.create(
        tenant=tenant, month="2025-01-01", payroll=100, operating_expenses=200
    )
    path = _write(tmp_path, "month,payroll\n2025-01,300\n")

    with pytest.raises(CommandError, match="line 2, column payroll: must not exceed"):
        call_command("import_financials", str(tenant.id), str(path))
    assert FinancialPeriod.objects.get(tenant=tenant).payroll == 100
