"""Import a tenant's monthly periods from a CSV file: all lines or none."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gateway.models import Tenant
from insights.financials import PeriodError, clean_period, upsert_periods
from insights.metrics import MONEY_FIELDS

# Report at most this many bad lines: enough to fix a file in one go, short enough to read.
MAX_REPORTED_ERRORS = 20


def csv_records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on, read strictly.

    Strict: an unterminated quote, text after a closing quote or a NUL is a CommandError naming
    the line, not a record the reader guessed at (an unclosed quote used to swallow the rest of
    the file and import). A field longer than the csv module's limit (128 KiB; no month or amount
    comes near it) is reported the same way instead of escaping as a bare ``csv.Error``.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" in str(exc):
                limit = csv.field_size_limit()
                raise CommandError(
                    f"{path}: line {start}: a field is longer than {limit} characters; "
                    "nothing was written"
                ) from None
            raise CommandError(
                f"{path}: line {start}: malformed CSV ({exc}); nothing was written"
            ) from None
        if record:
            yield start, record


def find_tenant(ref: str) -> Tenant:
    try:
        return Tenant.objects.get(pk=UUID(ref))
    except (ValueError, Tenant.DoesNotExist):
        pass
    matches = list(Tenant.objects.filter(name__iexact=ref)[:2])
    if len(matches) != 1:
        raise CommandError(f"no single tenant with id or name {ref!r}")
    return matches[0]


class Command(BaseCommand):
    help = "Import monthly financial periods for TENANT (id or name) from a CSV file with a header."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tenant")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = find_tenant(options["tenant"])
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        records = csv_records(path, text)
        header = [name.strip() for name in next(records, (1, []))[1]]
        if "month" not in header:
            raise CommandError(f"{path}: line 1: the header must name a 'month' column")
        unknown = [name for name in header if name not in {"month", *MONEY_FIELDS}]
        if unknown:
            raise CommandError(
                f"{path}: line 1, column {unknown[0]}: unknown column; expected month and "
                + ", ".join(MONEY_FIELDS)
            )
        latest = tenant.local_today().replace(day=1)
        cleaned: list[dict[str, Any]] = []
        errors: list[str] = []
        seen: dict[date, int] = {}
        for line_number, values in records:
            if len(values) > len(header):
                errors.append(f"line {line_number}: more values than columns")
                continue
            # a short line's missing cells are empty ones, as csv.DictReader read them
            row = {name: values[i] if i < len(values) else None for i, name in enumerate(header)}
            try:
                period = clean_period(line_number, row, latest_month=latest)
            except PeriodError as exc:
                errors.append(f"line {exc.row}, column {exc.field}: {exc.message}")
                continue
            if period["month"] in seen:
                errors.append(
                    f"line {line_number}, column month: {period['month']:%Y-%m} repeats line "
                    f"{seen[period['month']]}"
                )
                continue
            seen[period["month"]] = line_number
            cleaned.append(period)
        if errors:
            shown = "\n".join(f"  {path}: {error}" for error in errors[:MAX_REPORTED_ERRORS])
            more = len(errors) - MAX_REPORTED_ERRORS
            tail = f"\n  … and {more} more" if more > 0 else ""
            raise CommandError(f"{len(errors)} bad line(s), nothing was written:\n{shown}{tail}")
        if not cleaned:
            raise CommandError(f"{path}: no periods to import")
        result = upsert_periods(tenant, cleaned)
        self.stdout.write(
            f"{tenant.name}: {result.created} period(s) created, {result.updated} updated "
            f"({result.months[0]:%Y-%m} to {result.months[-1]:%Y-%m})"
        )
