"""The five event tables take the shape of `servicedesk.models.events.Event` (step 1 of 3):
add `reason` and `data` where a table lacked them, an `actor` on SLA events (the system's:
empty), and let every actor be empty. The values move in 0014; the old columns go in 0015."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _actor(**kwargs):
    return models.ForeignKey(
        blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
        to=settings.AUTH_USER_MODEL, verbose_name="actor", **kwargs,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0012_resolution_tallies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="feedbackevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="data"),
        ),
        migrations.AddField(
            model_name="feedbackevent",
            name="reason",
            field=models.TextField(blank=True, verbose_name="reason"),
        ),
        migrations.AddField(
            model_name="registrationevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="data"),
        ),
        migrations.AddField(model_name="slaevent", name="actor", field=_actor()),
        migrations.AddField(
            model_name="slaevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="data"),
        ),
        migrations.AddField(
            model_name="slaevent",
            name="reason",
            field=models.TextField(blank=True, verbose_name="reason"),
        ),
        migrations.AlterField(model_name="caseevent", name="actor", field=_actor()),
        migrations.AlterField(model_name="delayevent", name="actor", field=_actor()),
        migrations.AlterField(model_name="feedbackevent", name="actor", field=_actor()),
    ]
