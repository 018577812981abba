"""Keep each tenant's insight schedule in step with its timezone, insight hour and active flag."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from gateway.models import Tenant
from insights.dispatch import reschedule

_SCHEDULE_FIELDS = ("timezone", "insight_hour", "is_active")


@receiver(pre_save, sender=Tenant)
def _remember_schedule_fields(sender: type[Tenant], instance: Tenant, **kwargs: Any) -> None:
    before = Tenant.objects.filter(pk=instance.pk).values(*_SCHEDULE_FIELDS).first()
    instance._schedule_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=Tenant)
def _schedule_tenant(sender: type[Tenant], instance: Tenant, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_schedule_before", None)
    now = {name: getattr(instance, name) for name in _SCHEDULE_FIELDS}
    if created or before != now:
        reschedule(instance)


@receiver(pre_save, sender=Tenant)
def _remember_buffer(sender: type[Tenant], instance: Tenant, **kwargs: Any) -> None:
    before = Tenant.objects.filter(pk=instance.pk).values_list("cash_buffer", flat=True).first()
    instance._buffer_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=Tenant)
def _forecast_buffer(sender: type[Tenant], instance: Tenant, created: bool, **kwargs: Any) -> None:
    """The buffer is an input of the forecast (its breach date): a new one, a new forecast."""
    if not created and getattr(instance, "_buffer_before", None) != instance.cash_buffer:
        from insights.daily import forecast_books

        forecast_books(instance)
