"""Resolution tallies keep the case's handling department and desk (the access rule of
cases reads them); 0021 rebuilds them from the timers. Reversed, the tallies are rebuilt
with the narrower key once the columns are gone."""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models


def rebuild(apps, schema_editor):
    from tickets.sla.tallies import resolution_tallies_rebuild

    resolution_tallies_rebuild(timer_model=apps.get_model("tickets", "CaseTimer"),
                               tally_model=apps.get_model("tickets", "ResolutionTally"))


class Migration(migrations.Migration):

    dependencies = [
        ('servicedesk', '0008_department_contact_phone'),
        ('tickets', '0019_complaint_clocks_24x7'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # reversed last: the tallies rebuilt with the narrower key
        migrations.RunPython(migrations.RunPython.noop, rebuild),
        migrations.RemoveConstraint(
            model_name='resolutiontally',
            name='resolutiontally_one_row_per_key',
        ),
        migrations.AddField(
            model_name='resolutiontally',
            name='desk',
            field=models.CharField(blank=True, default='', max_length=30, verbose_name='restricted to desk'),
        ),
        migrations.AddField(
            model_name='resolutiontally',
            name='handling_department',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='servicedesk.department', verbose_name='handling department'),
        ),
        migrations.AddConstraint(
            model_name='resolutiontally',
            constraint=models.UniqueConstraint(models.F('day'), models.F('department'), django.db.models.functions.comparison.Coalesce('handling_department', models.Value(0)), models.F('desk'), django.db.models.functions.comparison.Coalesce('team', models.Value(0)), django.db.models.functions.comparison.Coalesce('assignee', models.Value(0)), models.F('kind'), models.F('grade'), name='resolutiontally_one_row_per_scope_key'),
        ),
    ]
