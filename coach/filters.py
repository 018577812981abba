"""Query filters of the coach lists, declared with django-filter.

The FilterSet validates every parameter (a bad value is a 400 naming it, listing what is allowed)
and the OpenAPI schema documents them, so the views parse no query strings themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import django_filters
from django import forms
from django.db.models import DateField, F, Func, Q, QuerySet
from django.db.models.functions import Cast, Now
from django.utils.datastructures import MultiValueDict

from coach.models import ActionPlan, Category, PlanStatus, Priority, Recommendation, Status

BIGINT_MAX = 2**63 - 1  # an id beyond Postgres' bigint is a bad value, not a database error


class CommaSeparatedMultiple(forms.SelectMultiple):
    """Reads ``?status=new&status=seen`` and ``?status=new,seen`` alike; blanks are ignored."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        raw = data.getlist(name) if isinstance(data, MultiValueDict) else [data.get(name) or ""]
        return [value for item in raw for value in str(item).split(",") if value]


def choices_filter(choices: Sequence[tuple[str, str]], what: str) -> django_filters.Filter:
    """One or more of ``choices``; an unknown value is refused with the allowed ones listed."""
    allowed = ", ".join(value for value, _ in choices)
    return django_filters.MultipleChoiceFilter(
        choices=choices,
        widget=CommaSeparatedMultiple,
        distinct=False,
        help_text=f"one or more {what}, repeated or comma-separated",
        error_messages={"invalid_choice": f"'%(value)s' is not one of {allowed}"},
    )


class IdFilter(django_filters.Filter):
    """An object id: a whole number that fits a bigint (``²`` or ``1.5`` is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class RecommendationFilter(django_filters.FilterSet):
    status = choices_filter(Status.choices, "statuses")
    priority = choices_filter(Priority.choices, "priorities")
    category = choices_filter(Category.choices, "categories")
    snoozed = django_filters.BooleanFilter(
        method="filter_snoozed",
        help_text="true: only those snoozed now; false: only those not snoozed (the cards)",
    )

    class Meta:
        model = Recommendation
        fields = ["status", "priority", "category", "snoozed"]

    def filter_snoozed(
        self, queryset: QuerySet[Recommendation], name: str, value: bool | None
    ) -> QuerySet[Recommendation]:
        if value is None:
            return queryset
        # the tenant's today, in its own zone, by the database's clock
        today = Cast(Func(F("tenant__timezone"), Now(), function="timezone"), DateField())
        snoozed = Q(snoozed_until__gt=today)
        return queryset.filter(snoozed) if value else queryset.exclude(snoozed)


class ActionPlanFilter(django_filters.FilterSet):
    status = choices_filter(PlanStatus.choices, "plan statuses")
    priority = choices_filter(Priority.choices, "priorities")
    recommendation = IdFilter(field_name="recommendation_id", help_text="a recommendation's id")

    class Meta:
        model = ActionPlan
        fields = ["status", "priority", "recommendation"]
