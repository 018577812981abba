"""What each recommendation is worth (its impact, from the forecast) and did a plan work (its figure, readings and outcome)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coach', '0003_evidence_and_withdrawn'),
    ]

    operations = [
        migrations.AddField(
            model_name='actionplan',
            name='metric',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='actionplan',
            name='metric_start',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='actionplan',
            name='outcome',
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='actionplan',
            name='outcome_reported_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='actionplan',
            name='readings',
            field=models.JSONField(default=list, help_text='[[YYYY-MM-DD, value], ...]'),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='impact',
            field=models.JSONField(blank=True, help_text='{runway_days_delta, cash_13w_delta, score_delta, explanation, changes, figures}', null=True),
        ),
    ]
