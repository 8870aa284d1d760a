"""The complaints app's pages under /complaints/."""

from django.urls import path  # noqa: F401  (the packages' views are added as they land)

app_name = "complaints"

urlpatterns: list = []
