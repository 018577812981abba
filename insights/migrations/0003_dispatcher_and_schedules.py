"""The Beat entry that runs the dispatcher, and a schedule for every tenant that exists."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from insights.scheduling import next_run_at

TASK_NAME = "insights: dispatch due insights"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(
        every=settings.INSIGHT_DISPATCH_EVERY, period="seconds"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "insights.tasks.dispatch_due_insights",
            "interval": every,
            "queue": "insights",
            "description": "Queues the insights of the tenants whose local insight hour has passed.",
        },
    )
    Tenant = apps.get_model("gateway", "Tenant")
    InsightSchedule = apps.get_model("insights", "InsightSchedule")
    now = timezone.now()
    InsightSchedule.objects.bulk_create(
        [
            InsightSchedule(tenant_id=t.pk, next_run_at=next_run_at(now, t.timezone, t.insight_hour, None))
            for t in Tenant.objects.all()
        ],
        ignore_conflicts=True,
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_insightschedule_insightfailure_insight"),
        ("gateway", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
