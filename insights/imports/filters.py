"""The bank transactions' query filters: account, import, a date range and a search.

Declared with django-filter like the insights lists (``insights.filters``): a bad value is a 400
naming the parameter, and the schema shows each one.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError

from insights.filters import IsoDateFilter
from insights.imports.models import BankTransaction

SEARCH_MAX = 100


class IdFilter(django_filters.Filter):
    """An object's id: a whole number (``NumberFilter`` would take ``1.5``)."""

    field_class = forms.IntegerField


class TransactionFilter(django_filters.FilterSet):
    account = IdFilter(field_name="account_id", help_text="a bank account's id (see cash/)")
    locals()["import"] = IdFilter(field_name="data_import_id", help_text="an import's id")
    locals()["from"] = IsoDateFilter(
        field_name="posted_on", lookup_expr="gte", help_text="first posting date, YYYY-MM-DD"
    )
    locals()["to"] = IsoDateFilter(
        field_name="posted_on", lookup_expr="lte", help_text="last posting date, YYYY-MM-DD"
    )
    search = django_filters.CharFilter(
        method="search_text",
        max_length=SEARCH_MAX,
        help_text="words in the payee or the memo (case does not matter)",
    )

    class Meta:
        model = BankTransaction
        fields: list[str] = []

    def search_text(
        self, rows: QuerySet[BankTransaction], name: str, value: str
    ) -> QuerySet[BankTransaction]:
        for word in value.split():
            rows = rows.filter(Q(payee__icontains=word) | Q(memo__icontains=word))
        return rows

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        first, last = self.form.cleaned_data.get("from"), self.form.cleaned_data.get("to")
        if first and last and first > last:
            raise ValidationError({"to": [f"must be on or after from ({first.isoformat()})"]})
        return super().filter_queryset(queryset)
