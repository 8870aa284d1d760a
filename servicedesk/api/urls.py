"""`/api/v1/`: one router for every app's viewsets, the OpenAPI schema and its docs page
(Swagger UI served from drf-spectacular-sidecar, never a CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from servicedesk.api import views
from servicedesk.api.notifications import NotificationViewSet
from tickets.cases.api import CaseViewSet
from tickets.contacts.api import ContactViewSet
from tickets.customers.api import CustomerViewSet
from tickets.filings.api.delays import DelayFilingViewSet
from tickets.filings.api.feedback import FeedbackFilingViewSet
from tickets.registrations.api import RegistrationViewSet

# The project's composition root for the API: each app contributes its viewsets here.
router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("cases", CaseViewSet, basename="case")
router.register("contacts", ContactViewSet, basename="contact")
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("feedback-filings", FeedbackFilingViewSet, basename="feedback-filing")
router.register("delay-filings", DelayFilingViewSet, basename="delay-filing")
router.register("me/notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", views.me, name="api-me"),
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
