"""One permission group per staff role (servicedesk.roles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from servicedesk.roles import Role, group_name, roles_sync_groups  # constants, no models


def create_role_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now so the
    # groups can carry them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync_groups(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        strict=False,
    )


def delete_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[group_name(r) for r in Role]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0002_calendars_and_official_days"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, delete_role_groups)]
