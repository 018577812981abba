"""Bulk writes by COPY for the daily batch, where ``bulk_create``'s statements cost the most.

Measured in benchmarks/daily_run.py (docs/benchmarks.md): JSON in arrays, quoted parameter by
parameter, was most of a batch's write time. tests/insights/test_daily_scale.py checks that
COPY'd rows read back exactly as the ORM would have written them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models

from insights.models import Insight


def allocate_ids(cursor: Any, *groups: Sequence[models.Model]) -> None:
    """Give unsaved rows their ids from their tables' own sequences, in one query for all.

    COPY returns nothing, so the ids are taken first; the rows keep them (the foreign keys, the
    through rows, the alerts and enrichment need them), in the order bulk_create would give them.
    """
    wanted = [(group[0]._meta.db_table, len(group)) for group in groups if group]
    if not wanted:
        return
    arrays = ", ".join(
        "ARRAY(SELECT nextval(pg_get_serial_sequence(%s, 'id')::regclass)"
        " FROM generate_series(1, %s))"
        for _ in wanted
    )
    cursor.execute(f"SELECT {arrays}", [value for pair in wanted for value in pair])
    allocated = iter(cursor.fetchone())
    for group in groups:
        if group:
            for obj, pk in zip(group, sorted(next(allocated)), strict=True):
                obj.pk = pk


def copy_in(cursor: Any, objs: Sequence[models.Model]) -> None:
    """Write model instances (ids set) with COPY: what ``bulk_create`` would write (same fields,
    defaults, ``pre_save`` values and database conversions). A constraint violation raises
    Django's IntegrityError, as bulk_create does."""
    if not objs:
        return
    db = cursor.db  # the connection itself: ``connection`` is a proxy, costly per field
    opts = objs[0]._meta
    fields = opts.concrete_fields
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with (
        db.wrap_database_errors,
        cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = db.alias


def copy_through(cursor: Any, pairs: Sequence[tuple[int, int]]) -> None:
    """The insight ↔ recommendation rows, by COPY (their ids come from the table's default)."""
    if not pairs:
        return
    through = Insight.recommendations.through
    table = cursor.db.ops.quote_name(through._meta.db_table)
    with (
        cursor.db.wrap_database_errors,
        cursor.copy(f"COPY {table} (insight_id, recommendation_id) FROM STDIN") as copy,
    ):
        for pair in pairs:
            copy.write_row(pair)
