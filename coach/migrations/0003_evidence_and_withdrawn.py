"""Evidence stored once per insight instead of once per recommendation; the withdrawn status.

Existing recommendations move their series and cash-flow table into one Evidence row per tenant
and issue date (the union of their series), and remember which metrics they cite.
"""

import django.db.models.deletion
from django.db import migrations, models


def move_evidence(apps, schema_editor):
    Recommendation = apps.get_model("coach", "Recommendation")
    Evidence = apps.get_model("coach", "Evidence")
    groups = {}
    rows = Recommendation.objects.order_by("tenant_id", "issued_on", "id").only(
        "id", "tenant_id", "issued_on", "series", "cash_flow"
    )
    for rec in rows.iterator(chunk_size=2000):
        key = (rec.tenant_id, rec.issued_on)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"series": {}, "cash_flow": rec.cash_flow or [], "recs": []}
        group["series"].update(rec.series or {})
        group["recs"].append((rec.id, sorted(rec.series or {})))
    for (tenant_id, day), group in groups.items():
        evidence = Evidence.objects.create(
            tenant_id=tenant_id, local_date=day, series=group["series"], cash_flow=group["cash_flow"]
        )
        for rec_id, metrics in group["recs"]:
            Recommendation.objects.filter(pk=rec_id).update(evidence=evidence, evidence_metrics=metrics)


def restore_evidence(apps, schema_editor):
    Recommendation = apps.get_model("coach", "Recommendation")
    for rec in Recommendation.objects.select_related("evidence").iterator(chunk_size=2000):
        if rec.evidence_id:
            stored = rec.evidence.series
            rec.series = {k: stored[k] for k in rec.evidence_metrics if k in stored}
            rec.cash_flow = rec.evidence.cash_flow
            rec.save(update_fields=["series", "cash_flow"])


class Migration(migrations.Migration):

    dependencies = [
        ('coach', '0002_templateflag_recommendation_enriched_at_and_more'),
        ('gateway', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Evidence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('local_date', models.DateField(help_text="The tenant's local date of the insight.")),
                ('series', models.JSONField(default=dict, help_text='{metric: [[YYYY-MM-DD, value], ...]}')),
                ('cash_flow', models.JSONField(default=list, help_text='One row per month, ascending.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='gateway.tenant')),
            ],
            options={
                'verbose_name_plural': 'evidence',
            },
        ),
        migrations.AddIndex(
            model_name='evidence',
            index=models.Index(fields=['tenant', '-local_date'], name='evidence_tenant_date'),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='evidence',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='recommendations', to='coach.evidence'),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='evidence_metrics',
            field=models.JSONField(default=list, help_text="The metrics of the evidence's series this recommendation cites."),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='recommendation',
            name='status',
            field=models.CharField(choices=[('new', 'New'), ('seen', 'Seen'), ('acted', 'Acted on'), ('dismissed', 'Dismissed'), ('withdrawn', 'Withdrawn')], default='new', max_length=16),
        ),
        migrations.RunPython(move_evidence, restore_evidence),
        migrations.RemoveField(
            model_name='recommendation',
            name='cash_flow',
        ),
        migrations.RemoveField(
            model_name='recommendation',
            name='series',
        ),
    ]
