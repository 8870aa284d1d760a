"""The complaints app's pages under /complaints/."""

from django.urls import path

from complaints.checks import views as views_checks
from complaints.handling.views import detail, intake, listing

app_name = "complaints"

urlpatterns = [
    path("", listing.complaint_list, name="list"),
    path("new/", intake.complaint_new, name="new"),
    # The monthly person check (complaints.checks).
    path("person-checks/", views_checks.person_checks_page, name="person-checks"),
    path("person-checks/<int:check_id>/", views_checks.person_check_detail,
         name="person-check"),
    path("person-checks/<int:check_id>/<slug:action>/", views_checks.person_check_action,
         name="person-check-action"),
    path("<int:complaint_id>/", detail.complaint_page, name="complaint"),
    path("<int:complaint_id>/<slug:step>/", detail.complaint_step, name="step"),
]
