from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, using, apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from servicedesk.roles import roles_sync_groups

    # Our receiver may run before auth's for some apps: make sure every permission exists.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    roles_sync_groups(group_model=Group, permission_model=Permission, strict=True)


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = _("Organisation and calendars")

    def ready(self) -> None:
        # After every migrate (permissions exist by then), role groups gain any permission
        # a newer release added to servicedesk.roles.role_permissions() (the kernel's own and
        # those the apps grant from their ready(), through servicedesk.registry).
        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="role_groups")
        # Connects the signals that drop cached calendar engines when their data changes.
        from servicedesk import calendars  # noqa: F401
