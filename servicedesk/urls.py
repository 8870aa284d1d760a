from django.contrib import admin
from django.urls import include, path

from servicedesk import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("health/", views.health_page, name="health"),
    path("org/", views.org_page, name="org"),
    path("calendars/", views.calendars_page, name="calendars"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/count/", views.notifications_count, name="notifications-count"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("tickets/", include("tickets.urls")),
    # Nothing imports reporting (architecture.md): its URLs are included by name.
    path("reporting/", include("reporting.urls")),
    path("api/v1/reporting/", include("reporting.api_urls")),
    path("api/v1/", include("servicedesk.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
