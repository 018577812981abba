"""Query filters of the insights lists, declared with django-filter.

``from`` and ``to`` are Python keywords, so they are declared through the class namespace; the
FilterSet validates them (a bad value is a 400 naming the parameter) and the schema shows them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from insights.financials import parse_month
from insights.models import FinancialPeriod, Insight

MONTH_PATTERN = r"^\d{4}-\d{2}(-01)?$"


class MonthField(forms.Field):
    """A month as ``YYYY-MM`` (or ``YYYY-MM-01``), read by the same rule as the books' upload."""

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


@extend_schema_field(
    {
        "type": "string",
        "pattern": MONTH_PATTERN,
        "example": "2024-03",
        "description": "a month, YYYY-MM: `from` is the first one listed, `to` the last",
    }
)
class MonthFilter(django_filters.Filter):
    """A ``month`` bound, shown in the schema as a ``YYYY-MM`` string (OpenAPI has no month
    format; the model's date field would say ``YYYY-MM-DD``)."""

    field_class = MonthField


class IsoDateField(forms.DateField):
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
    locals()["from"] = MonthFilter(field_name="month", lookup_expr="gte")
    locals()["to"] = MonthFilter(field_name="month", lookup_expr="lte")

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
