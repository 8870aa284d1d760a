from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("sla/", views.sla_dashboard_page, name="sla"),
    path("sla/cases/", views.sla_cases_page, name="sla-cases"),
]
