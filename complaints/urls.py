"""The complaints app's pages under /complaints/."""

from django.urls import path

from complaints.penalties import views as views_penalties

app_name = "complaints"

urlpatterns = [
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
]
