"""Import a tenant's monthly periods from a CSV file: all lines or none."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gateway.models import Tenant
from insights.financials import PeriodError, clean_periods, upsert_periods
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


def check_header(path: Path, header: list[str]) -> None:
    """The header names a month column and only known ones; the error lists every unknown
    column and the accepted ones, so the file is fixed in one go."""
    accepted = ["month", *MONEY_FIELDS]
    problems = []
    if "month" not in header:
        problems.append("the header must name a 'month' column")
    unknown = [name for name in header if name not in accepted]
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
    if problems:
        column = f", column {unknown[0]}" if unknown and "month" in header else ""
        raise CommandError(
            f"{path}: line 1{column}: {'; '.join(problems)}; accepted columns: "
            f"{', '.join(accepted)} (names exactly as written, lower case)"
        )


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
        check_header(path, header)
        rows: list[dict[str, Any]] = []
        lines: list[int] = []  # the line each of ``rows`` starts on
        errors: list[tuple[int, str]] = []
        for line_number, values in records:
            if len(values) > len(header):
                errors.append((line_number, f"line {line_number}: more values than columns"))
                continue
            # a short line's missing cells are empty ones, as csv.DictReader read them
            rows.append(
                {name: values[i] if i < len(values) else None for i, name in enumerate(header)}
            )
            lines.append(line_number)
        if not rows and not errors:
            raise CommandError(f"{path}: no periods to import")
        found: list[PeriodError] = []
        # every bad value of every line, through the API's rules (partial rows against the
        # stored months); a file from disk has no per-request bound
        cleaned = clean_periods(tenant, rows, errors=found, limit=None) if rows else []
        for error in found:
            line = lines[error.row]
            message = re.sub(
                r"repeats row (\d+)", lambda m: f"repeats line {lines[int(m[1])]}", error.message
            )
            errors.append((line, f"line {line}, column {error.field}: {message}"))
        if errors:
            errors.sort(key=lambda item: item[0])
            shown = "\n".join(f"  {path}: {error}" for _, error in errors[:MAX_REPORTED_ERRORS])
            more = len(errors) - MAX_REPORTED_ERRORS
            tail = f"\n  … and {more} more" if more > 0 else ""
            bad_lines = len({line for line, _ in errors})
            raise CommandError(
                f"{len(errors)} problem(s) on {bad_lines} line(s), nothing was written:\n"
                f"{shown}{tail}"
            )
        result = upsert_periods(tenant, cleaned)
        self.stdout.write(
            f"{tenant.name}: {result.created} period(s) created, {result.updated} updated "
            f"({result.months[0]:%Y-%m} to {result.months[-1]:%Y-%m})"
        )
