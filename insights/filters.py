"""Query filters of the insights lists, declared with django-filter.

``from`` and ``to`` are Python keywords, so they are declared through the class namespace; the
FilterSet validates them (a bad value is a 400 naming the parameter) and the schema shows them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms

from insights.financials import parse_month
from insights.models import FinancialPeriod, Insight


class MonthField(forms.Field):
    """A month as ``YYYY-MM`` (or ``YYYY-MM-01``), read by the same rule as the books' upload."""

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class MonthFilter(django_filters.CharFilter):
    """Documented as a string (the schema has no month format), parsed as a month."""

    field_class = MonthField


class IsoDateField(forms.Field):
    """An ISO date (``YYYY-MM-DD``), whatever the locale's input formats."""

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise forms.ValidationError(
                "'%(value)s' is not a date (YYYY-MM-DD)", code="invalid", params={"value": value}
            ) from None


class IsoDateFilter(django_filters.DateFilter):
    field_class = IsoDateField


class FinancialPeriodFilter(django_filters.FilterSet):
    locals()["from"] = MonthFilter(
        field_name="month", lookup_expr="gte", help_text="first month, YYYY-MM"
    )
    locals()["to"] = MonthFilter(
        field_name="month", lookup_expr="lte", help_text="last month, YYYY-MM"
    )

    class Meta:
        model = FinancialPeriod
        fields: list[str] = []


class InsightFilter(django_filters.FilterSet):
    locals()["from"] = IsoDateFilter(
        field_name="local_date", lookup_expr="gte", help_text="first local date, YYYY-MM-DD"
    )
    locals()["to"] = IsoDateFilter(
        field_name="local_date", lookup_expr="lte", help_text="last local date, YYYY-MM-DD"
    )

    class Meta:
        model = Insight
        fields: list[str] = []
