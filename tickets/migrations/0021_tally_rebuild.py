"""The resolution tallies rebuilt from the timers with their scope (0020: the handling
department and desk of their cases). A migration of its own: PostgreSQL creates 0020's
indexes at the end of its transaction, which the rows inserted here would block."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from tickets.sla.tallies import resolution_tallies_rebuild

    resolution_tallies_rebuild(timer_model=apps.get_model("tickets", "CaseTimer"),
                               tally_model=apps.get_model("tickets", "ResolutionTally"))


def forget(apps, schema_editor):
    """Going back: rows told apart by their scope would collide under 0019's narrower key;
    they are dropped here, and 0020's reverse rebuilds them without it."""
    apps.get_model("tickets", "ResolutionTally").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0020_tally_scope"),
    ]

    operations = [migrations.RunPython(rebuild, forget)]
