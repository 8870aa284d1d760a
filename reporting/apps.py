from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Pages, API, menu entry and role permissions, registered with the kernel.
        from reporting import registry  # noqa: F401
