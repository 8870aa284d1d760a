"""A filing's steps appear on its linked case's timeline: the case event kind
`filing_step` joins the kind check. Going back, those rows go (they repeat the filing's own
timeline, which stays)."""

from django.db import migrations, models

OLD_KINDS = ["opened", "status_changed", "assigned", "edited", "graded", "commented",
             "reopened", "feedback", "sla"]


def filing_steps_delete(apps, schema_editor):
    apps.get_model("tickets", "CaseEvent").objects.filter(kind="filing_step").delete()


class Migration(migrations.Migration):

    dependencies = [("tickets", "0015_event_old_columns_remove")]

    operations = [
        migrations.RemoveConstraint(model_name="caseevent", name="caseevent_kind_valid"),
        migrations.RunPython(migrations.RunPython.noop, filing_steps_delete),
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("opened", "Opened"), ("status_changed", "Status changed"),
                    ("assigned", "Assigned"), ("edited", "Edited"), ("graded", "Graded"),
                    ("commented", "Commented"), ("reopened", "Reopened"),
                    ("feedback", "Customer informed"), ("sla", "SLA deadlines changed"),
                    ("filing_step", "Filing step"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.CheckConstraint(
                condition=models.Q(kind__in=[*OLD_KINDS, "filing_step"]),
                name="caseevent_kind_valid",
            ),
        ),
    ]
