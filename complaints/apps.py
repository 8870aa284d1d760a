from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The capability packages of the app, in the order their models depend on each other
# (as in tickets/): the complaint itself and its handling flow, the penalty rules and
# ledger, and the monthly person check. The app label stays `complaints`.
CAPABILITIES = ("handling", "penalties", "checks")


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints and penalties")

    def import_models(self) -> None:
        """The models live in the capability packages: import each package's models
        module so they register with the app (label `complaints`)."""
        super().import_models()
        for package in CAPABILITIES:
            self.models_module = import_module(f"{self.name}.{package}.models")

    def ready(self) -> None:
        from servicedesk.registry import registry

        registry.page_urls("complaints/", "complaints.urls")
        for package in CAPABILITIES:
            for module in ("admin", "tasks", "registry"):
                try:
                    import_module(f"{self.name}.{package}.{module}")
                except ModuleNotFoundError as error:
                    if error.name != f"{self.name}.{package}.{module}":
                        raise
