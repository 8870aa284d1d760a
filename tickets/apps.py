from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The capability packages of the app, in the order their models depend on each other. Each
# holds its own models, services, selectors, api, views, admin and tasks; the app label
# stays `tickets`, so the tables and migrations are those of one app.
CAPABILITIES = ("customers", "cases", "contacts", "sla", "registrations", "filings")
# Packages without models of their own.
SERVICE_PACKAGES = ("intake", "exports")


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Cases and registrations")

    def import_models(self) -> None:
        """The models live in the capability packages, not in `tickets.models`: import each
        package's models module so they register with the app (label `tickets`)."""
        super().import_models()
        for package in CAPABILITIES:
            self.models_module = import_module(f"{self.name}.{package}.models")

    def ready(self) -> None:
        from servicedesk.registry import registry

        # The app's pages under /tickets/; each package registers the rest of what it
        # contributes to the kernel (API routes, menu entries, role permissions, periodic
        # jobs, schema names) in its `registry` module.
        registry.page_urls("tickets/", "tickets.urls")
        # What Django and Celery would find in `tickets.admin` / `tickets.tasks` of a flat
        # app: each package's admin registrations and Celery tasks.
        for package in (*CAPABILITIES, *SERVICE_PACKAGES):
            for module in ("admin", "tasks", "registry"):
                try:
                    import_module(f"{self.name}.{package}.{module}")
                except ModuleNotFoundError as error:
                    if error.name != f"{self.name}.{package}.{module}":
                        raise
