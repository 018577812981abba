"""A schedule for every tenant that exists.

The Beat entry that runs the dispatcher used to be created here too; it is declared in code now
(``config.celery.beat_schedule``) and the DatabaseScheduler writes it at start-up.
"""

from django.db import migrations
from django.utils import timezone

from insights.scheduling import next_run_at


def create(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_insightschedule_insightfailure_insight"),
        ("gateway", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
