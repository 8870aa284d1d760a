"""The complaints app's pages under /complaints/."""

from django.urls import path

from complaints.handling.views import detail, intake, listing

app_name = "complaints"

urlpatterns = [
    path("", listing.complaint_list, name="list"),
    path("new/", intake.complaint_new, name="new"),
    path("<int:complaint_id>/", detail.complaint_page, name="complaint"),
    path("<int:complaint_id>/<slug:step>/", detail.complaint_step, name="step"),
]
