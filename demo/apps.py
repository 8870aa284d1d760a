from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Only for the `seed_demo` and `seed_intake_demo` commands; no models."""

    name = "demo"
    verbose_name = "Demo data"
