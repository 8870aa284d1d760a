from django.urls import path

from tickets.cases import views as views_cases
from tickets.exports import views as views_exports
from tickets.filings.views import delays as views_delays
from tickets.filings.views import feedback as views_feedback
from tickets.intake import views
from tickets.registrations import views as views_registrations

app_name = "tickets"

urlpatterns = [
    path("incoming/", views.incoming_call, name="incoming"),
    path("customers/new/", views.customer_create_view, name="customer-create"),
    path("intake/", views.intake_create_view, name="intake"),
    path("queue/", views_cases.queue_page, name="queue"),
    path("cases/", views_cases.cases_page, name="cases"),
    path("exports/", views_exports.exports_page, name="exports"),
    path("exports/<slug:dataset>/", views_exports.export_download, name="export"),
    path("registrations/", views_registrations.registrations_page, name="registrations"),
    path("registrations/<int:registration_id>/", views_registrations.registration_detail,
         name="registration"),
    path("registrations/<int:registration_id>/<slug:action>/",
         views_registrations.registration_action, name="registration-action"),
    path("feedback/", views_feedback.feedback_filings_page, name="feedback-filings"),
    path("feedback/<int:filing_id>/", views_feedback.feedback_filing_detail,
         name="feedback-filing"),
    path("feedback/<int:filing_id>/<slug:action>/", views_feedback.feedback_filing_action,
         name="feedback-filing-action"),
    path("delays/", views_delays.delay_filings_page, name="delay-filings"),
    path("delays/<int:filing_id>/", views_delays.delay_filing_detail, name="delay-filing"),
    path("delays/<int:filing_id>/<slug:action>/", views_delays.delay_filing_action,
         name="delay-filing-action"),
    path("cases/<int:case_id>/", views_cases.case_detail, name="case"),
    path(
        "cases/<int:case_id>/transition/",
        views_cases.case_transition_view,
        name="case-transition",
    ),
    path("cases/<int:case_id>/feedback/", views_cases.case_feedback_view, name="case-feedback"),
]
