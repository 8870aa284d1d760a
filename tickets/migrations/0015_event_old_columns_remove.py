"""The five event tables take the shape of `servicedesk.models.events.Event` (step 3 of 3):
drop the columns whose values moved in 0014. (`to_status` gets a default first, so that the
reverse can add it back to a table that has rows.)"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("tickets", "0014_event_values_into_data")]

    operations = [
        migrations.AlterField(
            model_name="feedbackevent",
            name="to_status",
            field=models.CharField(blank=True, default="", max_length=20, verbose_name="to"),
        ),
        migrations.RemoveField(model_name="caseevent", name="from_value"),
        migrations.RemoveField(model_name="caseevent", name="to_value"),
        migrations.RemoveField(model_name="feedbackevent", name="from_status"),
        migrations.RemoveField(model_name="feedbackevent", name="to_status"),
        migrations.RemoveField(model_name="feedbackevent", name="note"),
        migrations.RemoveField(model_name="slaevent", name="detail"),
    ]
