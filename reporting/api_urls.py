"""`/api/v1/reporting/`: registered with the kernel in reporting/registry.py (nothing
imports reporting)."""

from django.urls import path

from reporting import api

urlpatterns = [
    path("sla-dashboard/", api.SlaDashboardView.as_view(), name="api-sla-dashboard"),
    path("sla-dashboard/cases/", api.SlaDashboardCasesView.as_view(),
         name="api-sla-dashboard-cases"),
]
