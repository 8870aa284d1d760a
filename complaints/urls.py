"""The complaints app's pages under /complaints/."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_GET

from complaints.checks import views as views_checks
from complaints.handling.selectors import get_complaint_for_user

app_name = "complaints"


@login_required
@permission_required("complaints.view_complaint", raise_exception=True)
@require_GET
def complaint_page(request, complaint_id: int):
    """A stand-in until the complaint page lands (issue 11, item 6): the complaint's case
    page, for whoever may see the complaint (404 otherwise). Notifications and the case
    page link here already."""
    complaint = get_complaint_for_user(user=request.user, complaint_id=complaint_id)
    return redirect("tickets:case", case_id=complaint.case_id)


urlpatterns = [
    path("<int:complaint_id>/", complaint_page, name="complaint"),
    # The monthly person check (complaints.checks).
    path("person-checks/", views_checks.person_checks_page, name="person-checks"),
    path("person-checks/<int:check_id>/", views_checks.person_check_detail,
         name="person-check"),
    path("person-checks/<int:check_id>/<slug:action>/", views_checks.person_check_action,
         name="person-check-action"),
]
