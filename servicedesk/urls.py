from django.contrib import admin
from django.urls import include, path

from servicedesk import signin, views
from servicedesk.registry import registry

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("health/", views.health_page, name="health"),
    path("org/", views.org_page, name="org"),
    path("calendars/", views.calendars_page, name="calendars"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/count/", views.notifications_count, name="notifications-count"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    # Each app's pages (`/tickets/`, `/reporting/`), as registered from its ready().
    *[path(pages.prefix, include(pages.urlconf)) for pages in registry.page_includes()],
    path("api/v1/", include("servicedesk.api.urls")),
    # the password-reset form, throttled (before Django's own under accounts/)
    path("accounts/password_reset/", signin.PasswordResetView.as_view(),
         name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
