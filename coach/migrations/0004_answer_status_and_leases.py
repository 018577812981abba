"""Leases for the work that must happen after a commit: enrichment owed, answers pending.

A chat answer being produced was marked by ``fallback_reason = "pending"``; it now has a real
``status`` column, and the marker is moved there (pending answers get a lease that has already
run out, so the sweep publishes them again at once). The API shows the same thing as before.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def marker_to_status(apps, schema_editor):
    Message = apps.get_model("coach", "Message")
    Message.objects.filter(role="assistant", fallback_reason="pending").update(
        status="pending", fallback_reason="", lease_until=timezone.now()
    )


def status_to_marker(apps, schema_editor):
    Message = apps.get_model("coach", "Message")
    Message.objects.filter(status="pending").update(fallback_reason="pending")


class Migration(migrations.Migration):
    dependencies = [
        ("coach", "0003_evidence_and_withdrawn"),
        ("gateway", "0002_tenant_industry_and_cash_settings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="message",
            name="status",
            field=models.CharField(
                choices=[("pending", "Being produced"), ("done", "Stored")],
                default="done",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="enrichment_due_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["lease_until"],
                name="message_pending_lease",
            ),
        ),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(
                condition=models.Q(("enrichment_due_at__isnull", False)),
                fields=["enrichment_due_at"],
                name="rec_enrichment_due",
            ),
        ),
        migrations.RunPython(marker_to_status, status_to_marker),
    ]
