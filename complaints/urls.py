"""The complaints app's pages under /complaints/."""

from django.urls import path

from complaints.checks import views as views_checks
from complaints.handling.views import detail, intake, listing
from complaints.penalties import views as views_penalties

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
    # The penalty ledger and the SLA excuses (complaints.penalties).
    path("penalties/", views_penalties.ledger_page, name="penalties"),
    path("penalties/export/", views_penalties.ledger_download, name="penalties-export"),
    path("penalties/<int:entry_id>/", views_penalties.entry_detail, name="penalty"),
    path("penalties/<int:entry_id>/<slug:action>/", views_penalties.entry_action,
         name="penalty-action"),
    path("sla-excuses/", views_penalties.excuses_page, name="sla-excuses"),
    path("sla-excuses/<int:excuse_id>/", views_penalties.excuse_detail, name="sla-excuse"),
    path("sla-excuses/<int:excuse_id>/<slug:action>/", views_penalties.excuse_action,
         name="sla-excuse-action"),
    # A complaint and its steps (complaints.handling).
    path("<int:complaint_id>/", detail.complaint_page, name="complaint"),
    path("<int:complaint_id>/<slug:step>/", detail.complaint_step, name="step"),
]
